//! One module per group of pages.

pub mod auth;
pub mod directory;
pub mod error;
pub mod mentor;
pub mod school;
pub mod teacher;
