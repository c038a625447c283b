//! Any text as a C2SP tile path: parsing never panics, and what parses prints back as itself
//! (one tile, one path), within a tree or not.
#![no_main]

use accord_core::tiles::Tile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Some(tile) = Tile::parse(text) {
        assert_eq!(tile.path(), text);
        assert_eq!(Tile::parse(&tile.path()), Some(tile));
        assert!((1..=256).contains(&tile.width));
        let _ = tile.within(u64::MAX);
        let _ = tile.entry_seqs();
    }
});
