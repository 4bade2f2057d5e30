//! Saved plans: `<plans dir>/<head sha>/<project>.tfplan` and, beside it, a small JSON
//! record binding the file to the head and base commits and to its own sha256, so an apply
//! can prove it applies exactly what was planned and shown.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use infra_ci_github::Sha;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::error::RunnerError;

/// The record written next to a plan file (`<project>.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRecord {
    /// Format of this record; only `1` exists.
    pub version: u32,
    /// The project the plan is of (its configured name).
    pub project: String,
    /// The commit the plan was made on (the pull request's head).
    pub head_sha: Sha,
    /// The base branch's tip when the plan was made, when known.
    pub base_sha: Option<Sha>,
    /// sha256 of the plan file, hex.
    pub plan_sha256: String,
    /// The plan's one-line summary (`+2 ~1 -0`).
    pub summary: String,
    /// Whether the plan destroys or replaces anything.
    pub destructive: bool,
    /// `terraform` or `tofu`.
    pub binary: String,
    /// RFC 3339.
    pub created_at: String,
}

/// Where plans are kept.
#[derive(Debug, Clone)]
pub struct PlanStore {
    root: PathBuf,
}

impl PlanStore {
    /// A store rooted at `root` (made absolute against the current directory, because
    /// Terraform runs in each project's directory).
    pub fn new(root: impl Into<PathBuf>) -> Result<Self, RunnerError> {
        let root = root.into();
        let root = if root.is_absolute() {
            root
        } else {
            std::env::current_dir()
                .map_err(|e| RunnerError::io("cannot read the current directory", e))?
                .join(root)
        };
        Ok(Self { root })
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn dir(&self, sha: &str) -> Result<PathBuf, RunnerError> {
        if sha.is_empty() || sha.len() > 64 || !sha.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(RunnerError::Usage(format!(
                "{sha:?} is not a commit SHA (hex digits)"
            )));
        }
        Ok(self.root.join(sha.to_ascii_lowercase()))
    }

    /// `<root>/<sha>/<project>.tfplan`.
    pub fn plan_path(&self, sha: &str, project: &str) -> Result<PathBuf, RunnerError> {
        Ok(self.dir(sha)?.join(format!("{project}.tfplan")))
    }

    /// `<root>/<sha>/<project>.json`.
    pub fn record_path(&self, sha: &str, project: &str) -> Result<PathBuf, RunnerError> {
        Ok(self.dir(sha)?.join(format!("{project}.json")))
    }

    /// Creates `<root>/<sha>/`.
    pub fn prepare(&self, sha: &str) -> Result<(), RunnerError> {
        let dir = self.dir(sha)?;
        std::fs::create_dir_all(&dir)
            .map_err(|e| RunnerError::io(format!("cannot create {}", dir.display()), e))
    }

    /// Writes the record of a plan.
    pub fn write_record(&self, r: &PlanRecord) -> Result<(), RunnerError> {
        let path = self.record_path(&r.head_sha, &r.project)?;
        let text = serde_json::to_string_pretty(r).expect("a plan record always serializes");
        std::fs::write(&path, text)
            .map_err(|e| RunnerError::io(format!("cannot write {}", path.display()), e))
    }

    /// The record of the plan of `project` on `sha`, if there is one. A record that cannot
    /// be read is reported as an error (it is never silently ignored).
    pub fn load(&self, sha: &str, project: &str) -> Result<Option<PlanRecord>, RunnerError> {
        let path = self.record_path(sha, project)?;
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
                RunnerError::io(
                    format!("cannot read the plan record {}", path.display()),
                    std::io::Error::new(std::io::ErrorKind::InvalidData, e),
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(RunnerError::io(
                format!("cannot read {}", path.display()),
                e,
            )),
        }
    }
}

/// sha256 of a file, hex, read in chunks.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(hex::encode(h.finalize()));
        }
        h.update(&buf[..n]);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_paths_refuse_traversal() {
        let tmp = tempfile::tempdir().unwrap();
        let store = PlanStore::new(tmp.path()).unwrap();
        assert!(store.plan_path("../etc", "x").is_err());
        store.prepare("abc123").unwrap();
        let plan = store.plan_path("abc123", "platform").unwrap();
        std::fs::write(&plan, b"hello").unwrap();
        let r = PlanRecord {
            version: 1,
            project: "platform".into(),
            head_sha: "abc123".into(),
            base_sha: None,
            plan_sha256: sha256_file(&plan).unwrap(),
            summary: "+1 ~0 -0".into(),
            destructive: false,
            binary: "terraform".into(),
            created_at: String::new(),
        };
        store.write_record(&r).unwrap();
        assert_eq!(store.load("abc123", "platform").unwrap(), Some(r.clone()));
        assert_eq!(store.load("abc123", "other").unwrap(), None);
        assert_eq!(
            r.plan_sha256,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
    }
}
