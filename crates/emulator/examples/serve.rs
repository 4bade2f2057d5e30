//! Serves an emulator until Ctrl-C: `cargo run -p infra-ci-emulator --example serve -- 127.0.0.1:8080`
//! (the `infra-ci emulator --listen` command does the same from the real binary).

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned())
        .parse()
        .map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("bad address: {e}"),
            )
        })?;
    infra_ci_emulator::serve_forever(addr, infra_ci_emulator::EmulatorOptions::default()).await
}
