//! The slash-command grammar: `/plan`, `/apply`, `/bootstrap plan|apply`, with projects, and
//! `/unlock` (release the pull request's apply locks).
//!
//! Only the first line of a comment counts, after leading whitespace; it must start with an
//! ASCII `/` followed at once by a known word (ASCII, any case). Everything else is not a
//! command: quotes (`> /apply`), code fences, commands mid-text, look-alikes (`／apply`,
//! Cyrillic letters), and unknown words (`/assign` belongs to other bots). Only the first
//! [`MAX_COMMAND_LINE`] bytes are looked at, so a 1 MB comment costs nothing.

use std::fmt::Write as _;

use infra_ci_config::{Config, is_valid_name};
use serde::{Deserialize, Serialize};

/// The longest first line read as a command, in bytes. Longer lines that start with a known
/// command are refused with the usage; the rest of the comment is never read.
pub const MAX_COMMAND_LINE: usize = 1024;

/// What a run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CommandKind {
    /// `terraform plan` of the chosen projects.
    Plan,
    /// `terraform apply` of the chosen projects.
    Apply,
    /// Plan the bootstrap project (run natively).
    BootstrapPlan,
    /// Apply the bootstrap project (run natively).
    BootstrapApply,
    /// After a merge: plan every project on the merge commit, expecting no changes.
    Verify,
    /// Scheduled: plan every project on the default branch, reporting drift.
    Drift,
    /// Release every apply lock the pull request holds (Atlantis's `unlock`).
    Unlock,
}

impl CommandKind {
    /// The route's `command` output: `plan`, `apply`, `bootstrap-plan`, `bootstrap-apply`,
    /// `verify`, `drift`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Plan => "plan",
            Self::Apply => "apply",
            Self::BootstrapPlan => "bootstrap-plan",
            Self::BootstrapApply => "bootstrap-apply",
            Self::Verify => "verify",
            Self::Drift => "drift",
            Self::Unlock => "unlock",
        }
    }

    /// How a person types it.
    pub fn slash(self) -> &'static str {
        match self {
            Self::Plan => "/plan",
            Self::Apply => "/apply",
            Self::BootstrapPlan => "/bootstrap plan",
            Self::BootstrapApply => "/bootstrap apply",
            Self::Verify => "verify",
            Self::Drift => "drift",
            Self::Unlock => "/unlock",
        }
    }

    /// True for the commands that change infrastructure.
    pub fn is_apply(self) -> bool {
        matches!(self, Self::Apply | Self::BootstrapApply)
    }
}

/// A command and the projects it names (lowercase, without duplicates, in the order typed;
/// empty means every project the command covers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Command {
    /// What to do.
    pub kind: CommandKind,
    /// The projects named.
    pub projects: Vec<String>,
}

/// What the first line of a comment is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// A well-formed command.
    Command(Command),
    /// A known command with bad arguments: reply with `usage` (it never quotes the comment
    /// beyond the command word and well-formed project names).
    BadArgs {
        /// What is wrong, then how to use the command.
        usage: String,
    },
    /// Not addressed to infra-ci.
    NotACommand,
}

/// Where the text came from: comments know four commands; a workflow_dispatch `command`
/// input also accepts `verify` and `drift`, and may leave out the `/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A pull request comment.
    Comment,
    /// The `command` input of workflow_dispatch.
    Dispatch,
}

/// Parses the first line of a comment body.
pub fn parse_comment(body: &str, cfg: &Config) -> Parsed {
    parse(body, cfg, Origin::Comment)
}

/// Parses a workflow_dispatch `command` input: `plan`, `/plan platform`, `bootstrap-apply`,
/// `bootstrap apply`, `verify`, `drift`.
pub fn parse_dispatch(input: &str, cfg: &Config) -> Parsed {
    let input = input.trim_start();
    let with_slash;
    let text = if input.starts_with('/') {
        input
    } else {
        let (word, rest) = input.split_at(input.find([' ', '\t']).unwrap_or(input.len()));
        let word = match word.to_ascii_lowercase().as_str() {
            "bootstrap-plan" => "bootstrap plan".to_owned(),
            "bootstrap-apply" => "bootstrap apply".to_owned(),
            _ => word.to_owned(),
        };
        with_slash = format!("/{word}{rest}");
        &with_slash
    };
    parse(text, cfg, Origin::Dispatch)
}

/// Parses `text`'s first line as a command from `origin`.
pub fn parse(text: &str, cfg: &Config, origin: Origin) -> Parsed {
    let Some(line) = first_line(text) else {
        // Longer than MAX_COMMAND_LINE: refuse known commands, ignore the rest.
        let head: String = text.trim_start().chars().take(32).collect();
        return match known_word(&head, origin) {
            Some(_) => bad_args("the command line is too long.", cfg),
            None => Parsed::NotACommand,
        };
    };
    let Some(word) = known_word(line, origin) else {
        return Parsed::NotACommand;
    };
    // `known_word` guarantees the line starts with '/' and the word follows at once.
    let mut args = line[1..].split_ascii_whitespace().skip(1);
    match word {
        Word::Plan => projects(CommandKind::Plan, args, cfg),
        Word::Apply => projects(CommandKind::Apply, args, cfg),
        Word::Verify => no_args(CommandKind::Verify, args, cfg),
        Word::Drift => no_args(CommandKind::Drift, args, cfg),
        Word::Unlock => no_args(CommandKind::Unlock, args, cfg),
        Word::Bootstrap => {
            let kind = match args.next().map(str::to_ascii_lowercase).as_deref() {
                Some("plan") => CommandKind::BootstrapPlan,
                Some("apply") => CommandKind::BootstrapApply,
                Some(_) => return bad_args("`/bootstrap` takes `plan` or `apply`.", cfg),
                None => return bad_args("`/bootstrap` needs `plan` or `apply`.", cfg),
            };
            if cfg.bootstrap_project().is_none() {
                return bad_args(
                    "no bootstrap project is configured (set `bootstrap.project` in .github/infra-ci.yml).",
                    cfg,
                );
            }
            no_args(kind, args, cfg)
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Word {
    Plan,
    Apply,
    Bootstrap,
    Verify,
    Drift,
    Unlock,
}

/// The command word when `line` starts with `/` and a word `origin` knows, else `None`.
fn known_word(line: &str, origin: Origin) -> Option<Word> {
    let rest = line.strip_prefix('/')?;
    let end = rest
        .find(|c: char| c.is_ascii_whitespace())
        .unwrap_or(rest.len());
    // Compare bytes: a non-ASCII look-alike never equals an ASCII word.
    let word = &rest.as_bytes()[..end];
    let is = |w: &str| word.eq_ignore_ascii_case(w.as_bytes());
    match origin {
        _ if is("plan") => Some(Word::Plan),
        _ if is("apply") => Some(Word::Apply),
        _ if is("bootstrap") => Some(Word::Bootstrap),
        Origin::Dispatch if is("verify") => Some(Word::Verify),
        Origin::Dispatch if is("drift") => Some(Word::Drift),
        Origin::Comment if is("unlock") => Some(Word::Unlock),
        _ => None,
    }
}

/// The first line after leading whitespace, without its line ending and trailing spaces;
/// `None` when it runs past [`MAX_COMMAND_LINE`] bytes.
fn first_line(text: &str) -> Option<&str> {
    let text = text.trim_start();
    let mut end = text.len();
    for (i, c) in text.char_indices() {
        if c == '\n' {
            end = i;
            break;
        }
        if i >= MAX_COMMAND_LINE {
            return None;
        }
    }
    Some(text[..end].trim_end())
}

fn no_args<'a>(kind: CommandKind, mut args: impl Iterator<Item = &'a str>, cfg: &Config) -> Parsed {
    if args.next().is_some() {
        return bad_args(&format!("`{}` takes no arguments.", kind.slash()), cfg);
    }
    Parsed::Command(Command {
        kind,
        projects: Vec::new(),
    })
}

/// Reads `NAME...`, `-p NAME`, `--project NAME` and `--project=NAME`.
fn projects<'a>(
    kind: CommandKind,
    mut args: impl Iterator<Item = &'a str>,
    cfg: &Config,
) -> Parsed {
    let bootstrap = cfg.bootstrap_project().map(|p| p.name.as_str());
    let mut names: Vec<String> = Vec::new();
    while let Some(arg) = args.next() {
        let lower = arg.to_ascii_lowercase();
        let name = if lower == "-p" || lower == "--project" {
            match args.next() {
                Some(v) => v.to_ascii_lowercase(),
                None => return bad_args(&format!("`{arg}` needs a project name."), cfg),
            }
        } else if let Some(v) = lower.strip_prefix("--project=") {
            v.to_owned()
        } else if lower.starts_with('-') {
            return bad_args(&format!("unknown option {}.", shown(&lower)), cfg);
        } else {
            lower
        };
        if cfg.project(&name).is_none() {
            return bad_args(&format!("unknown project {}.", shown(&name)), cfg);
        }
        if Some(name.as_str()) == bootstrap {
            let sub = if kind == CommandKind::Apply {
                "apply"
            } else {
                "plan"
            };
            return bad_args(
                &format!("`{name}` is the bootstrap project: use `/bootstrap {sub}`."),
                cfg,
            );
        }
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Parsed::Command(Command {
        kind,
        projects: names,
    })
}

/// A user-typed word, quoted only when it is shaped like a name (so a reply never carries
/// Markdown, mentions or control characters from the comment).
fn shown(word: &str) -> String {
    if is_valid_name(word.trim_start_matches('-')) {
        format!("`{word}`")
    } else {
        "(not shown: not a valid name)".to_owned()
    }
}

fn bad_args(problem: &str, cfg: &Config) -> Parsed {
    Parsed::BadArgs {
        usage: format!("{problem}\n\n{}", usage(cfg)),
    }
}

/// The usage text, listing this repository's projects.
pub fn usage(cfg: &Config) -> String {
    let bootstrap = cfg.bootstrap_project().map(|p| p.name.as_str());
    let names: Vec<&str> = cfg
        .projects_in_order()
        .into_iter()
        .map(|p| p.name.as_str())
        .filter(|n| Some(*n) != bootstrap)
        .collect();
    let mut text = String::from("Usage (on the first line of a comment):\n");
    text.push_str("- `/plan [PROJECT...]`: plan every project, or the ones named\n");
    text.push_str("- `/apply [PROJECT...]`: apply every project, or the ones named\n");
    text.push_str("- `/unlock`: release every apply lock this pull request holds\n");
    if let Some(b) = bootstrap {
        let _ = writeln!(
            text,
            "- `/bootstrap plan` or `/bootstrap apply`: the `{b}` project"
        );
    }
    let _ = write!(
        text,
        "Projects: {} (also as `-p NAME` or `--project NAME`).",
        if names.is_empty() {
            "none".to_owned()
        } else {
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    text
}
