//! GitHub events in, routes out: payload models, slash-command grammar, authorization policy.
//!
//! Pure: no I/O, no async, no clock. The engine reads the event file and the configuration,
//! calls [`decide`], performs the [`Lookup`] a route may still need and hands the answer to
//! [`complete`], then asks [`authorize`] and applies a refusal with [`refuse`]. The routes,
//! commands and permissions are tabled in `docs/routes.md`.

pub mod command;
mod decide;
pub mod event;
pub mod gate;
pub mod policy;
pub mod reviews;
mod route;

pub use command::{
    Command, CommandKind, MAX_COMMAND_LINE, Origin, Parsed, parse_comment, parse_dispatch,
};
pub use decide::{RouteContext, RouteError, decide, decide_event};
pub use event::{Event, EventError};
pub use gate::{
    GateDecision, GateInput, LockFact, PlanFile, PlanProof, PlanState, PullFacts, ReviewFact,
    ReviewWord, may_apply,
};
pub use policy::{Actor, authorize, authorize_unlock, is_allowed};
pub use route::{Facts, Lookup, Mode, Reaction, ReactionContent, Route, complete, refuse};
