//! One module per group of pages.

pub mod attempt;
pub mod auth;
pub mod banks;
pub mod campaigns;
pub mod catalogue;
pub mod custom_indicators;
pub mod dashboard;
pub mod directory;
pub mod error;
pub mod matching;
pub mod mentor;
pub mod profile;
pub mod roadmap;
pub mod routes;
pub mod school;
pub mod settings;
pub mod targets;
pub mod teacher;
