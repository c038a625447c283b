//! A shard's tree as C2SP tiles (c2sp.org/tlog-tiles), so any transparency-log client can
//! fetch and check it: `tile/<L>/<N>[.p/<W>]` holds the hashes `N·256 … N·256+W-1` of tree
//! level `8·L`, and `tile/entries/<N>[.p/<W>]` the entries themselves. A shard's entries are its
//! event hashes (32 bytes each, so an entry's leaf hash is the RFC 6962 leaf hash the ledger's
//! tree uses), bundled as the spec says: each prefixed by its length as a big-endian `u16`.

use crate::merkle::Hash;
use crate::tree::{HashStore, TreeError, stored_hash_index};

/// Hashes per full tile (tile height 8).
pub const WIDTH: u64 = 256;

/// One tile of a shard's tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tile {
    /// `None` for an entry bundle, else the tile level `L` (tree level `8·L`).
    pub level: Option<u8>,
    pub index: u64,
    /// 1 to 256; below 256 only as the `.p/<W>` partial form.
    pub width: u16,
}

impl Tile {
    /// Parses the part of a tile URL after `tile/`.
    pub fn parse(path: &str) -> Option<Tile> {
        let (kind, rest) = path.split_once('/')?;
        let level = match kind {
            "entries" => None,
            l if l.len() == 1 && l.as_bytes()[0].is_ascii_digit() => Some(l.parse::<u8>().ok()?),
            _ => return None,
        };
        let (index_part, width) = match rest.split_once(".p/") {
            Some((i, w)) => {
                let ok = !w.is_empty()
                    && w.len() <= 3
                    && w.bytes().all(|b| b.is_ascii_digit())
                    && !(w.len() > 1 && w.starts_with('0'));
                let w: u16 = if ok { w.parse().ok()? } else { return None };
                if !(1..WIDTH as u16).contains(&w) {
                    return None;
                }
                (i, w)
            }
            None => (rest, WIDTH as u16),
        };
        let groups: Vec<&str> = index_part.split('/').collect();
        let mut index: u64 = 0;
        for (i, g) in groups.iter().enumerate() {
            let last = i + 1 == groups.len();
            let digits = if last { *g } else { g.strip_prefix('x')? };
            if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            index = index.checked_mul(1000)?.checked_add(digits.parse::<u64>().ok()?)?;
        }
        let tile = Tile { level, index, width };
        (tile.path() == path).then_some(tile)
    }

    /// The path after `tile/`, in the spec's form.
    pub fn path(&self) -> String {
        let mut groups = vec![format!("{:03}", self.index % 1000)];
        let mut n = self.index / 1000;
        while n > 0 {
            groups.push(format!("x{:03}", n % 1000));
            n /= 1000;
        }
        groups.reverse();
        let kind = self.level.map_or_else(|| "entries".to_owned(), |l| l.to_string());
        let partial = if u64::from(self.width) < WIDTH { format!(".p/{}", self.width) } else { String::new() };
        format!("{kind}/{}{partial}", groups.join("/"))
    }

    /// Whether a tree of `size` leaves holds this whole tile.
    pub fn within(&self, size: u64) -> bool {
        let level = u32::from(self.level.unwrap_or(0));
        if level * 8 >= 64 {
            return false;
        }
        let available = size >> (8 * level);
        self.index
            .checked_mul(WIDTH)
            .and_then(|start| start.checked_add(u64::from(self.width)))
            .is_some_and(|end| end <= available)
    }

    /// The leaves (event sequence numbers, 1-based) an entry bundle holds.
    pub fn entry_seqs(&self) -> std::ops::RangeInclusive<u64> {
        let first = self.index.saturating_mul(WIDTH).saturating_add(1);
        first..=first.saturating_add(u64::from(self.width) - 1)
    }
}

/// A hash tile's bytes: its `width` hashes, 32 bytes each, read from the stored tree.
pub fn hash_tile(store: &impl HashStore, tile: &Tile) -> Result<Vec<u8>, TreeError> {
    let level = tile.level.ok_or(TreeError::Tlog("an entry bundle is not a hash tile".into()))?;
    let start = tile.index * WIDTH;
    let indexes: Vec<u64> = (0..u64::from(tile.width)).map(|i| stored_hash_index(8 * level, start + i)).collect();
    Ok(store.read(&indexes)?.concat())
}

/// An entry bundle's bytes from the entries (event hashes) it holds.
pub fn entry_bundle(entries: &[Hash]) -> Vec<u8> {
    let mut out = Vec::with_capacity(entries.len() * 34);
    for e in entries {
        out.extend_from_slice(&(e.len() as u16).to_be_bytes());
        out.extend_from_slice(e);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle;
    use crate::tree::MemoryHashes;

    #[test]
    fn paths_are_read_and_written_as_the_spec_writes_them() {
        for (path, tile) in [
            ("0/000", Tile { level: Some(0), index: 0, width: 256 }),
            ("1/x001/x234/067", Tile { level: Some(1), index: 1_234_067, width: 256 }),
            ("0/005.p/7", Tile { level: Some(0), index: 5, width: 7 }),
            ("entries/x123/456.p/255", Tile { level: None, index: 123_456, width: 255 }),
        ] {
            assert_eq!(Tile::parse(path), Some(tile), "{path}");
            assert_eq!(tile.path(), path);
        }
        for bad in [
            "0/5",
            "0/000.p/0",
            "0/000.p/256",
            "0/000.p/07",
            "0/x000/005",
            "0/001/002",
            "a/000",
            "10/000",
            "entries/000/",
            "0/000.p/",
            "0/-01",
        ] {
            assert_eq!(Tile::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_tile_is_served_only_when_the_tree_holds_all_of_it() {
        let t = |level, index, width| Tile { level, index, width };
        assert!(t(Some(0), 0, 256).within(256));
        assert!(!t(Some(0), 0, 256).within(255));
        assert!(t(Some(0), 0, 255).within(255));
        assert!(t(Some(1), 0, 1).within(256));
        assert!(!t(Some(1), 0, 2).within(511));
        assert!(t(None, 1, 3).within(259));
        assert_eq!(t(None, 1, 3).entry_seqs(), 257..=259);
        assert!(!t(Some(9), 0, 1).within(u64::MAX));
    }

    /// A level-1 tile's hashes are the roots of the 256-leaf subtrees below it, and a level-0
    /// tile's are the leaves: what a tlog client recomputes.
    #[test]
    fn tiles_hold_the_tree_hashes_a_client_recomputes() {
        let leaves: Vec<Hash> = (0..600u32).map(|i| merkle::leaf_hash(&i.to_be_bytes())).collect();
        let mut store = MemoryHashes::default();
        for l in &leaves {
            store.push(*l).unwrap();
        }
        let level0 = hash_tile(&store, &Tile { level: Some(0), index: 2, width: 88 }).unwrap();
        assert_eq!(level0, leaves[512..600].concat());
        let level1 = hash_tile(&store, &Tile { level: Some(1), index: 0, width: 2 }).unwrap();
        assert_eq!(level1, [merkle::root(&leaves[..256]), merkle::root(&leaves[256..512])].concat());
        assert_eq!(entry_bundle(&[[7; 32]])[..2], [0, 32]);
    }
}
