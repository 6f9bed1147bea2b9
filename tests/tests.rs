//! casebook's integration tests, in one binary: the real `casebook` binary run on fixture
//! sites (`tests/fixtures/`), with output and messages pinned. One module per area.
//!
//! One binary rather than one per file: each test binary links the whole library and its
//! dependencies, and twenty of them took minutes to link and over 2 GB of disk.

mod common;

mod aliases;
mod build;
mod check;
mod data;
mod errors;
mod feeds;
mod huge;
mod import;
mod incremental;
mod interrupt;
mod layers;
mod model;
mod pages;
mod properties;
mod scaffold;
mod search;
mod serve;
mod sitemap;
mod stats;
mod stream;
mod theme;
mod visibility;
