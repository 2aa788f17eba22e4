//! The keys of the parties or products an import names, each numbered in the order it first
//! appears: one text buffer holding every key, and a hash table of numbers into it.
//!
//! A PSA export can name hundreds of thousands of companies. As a `HashMap<String, u32>` each
//! key cost its own heap allocation and a 32-byte entry, about 95 bytes a company, and a 2.2M
//! line export with 400,000 companies peaked above the import's 64 MB. Here a key costs its
//! bytes, an 8-byte end offset and a 4-byte slot of the table.

use hashbrown::DefaultHashBuilder;
use hashbrown::HashTable;
use hashbrown::hash_table::Entry;
use std::hash::BuildHasher;

/// The keys seen so far, numbered from 0.
#[derive(Default)]
pub(super) struct KeyIndex {
    /// Every key, one after the other.
    text: String,
    /// Where each key ends in `text`; key `n` starts where key `n - 1` ends.
    ends: Vec<usize>,
    /// The numbers of the keys, found by the keys' hashes.
    table: HashTable<u32>,
    /// Randomly seeded (hashbrown's default): the keys come from a file, which must not
    /// choose collisions.
    hasher: DefaultHashBuilder,
    /// The number given last: an export lists a company's lines together, so the next key is
    /// most often the same one, and is then told without hashing it.
    last: Option<u32>,
}

/// The number a key is known by in this import.
pub(super) struct Interned {
    pub(super) index: u32,
    /// Whether the import names it for the first time.
    pub(super) is_new: bool,
}

impl KeyIndex {
    /// The number of `key`, giving it the next one when new.
    pub(super) fn intern(&mut self, key: &str) -> Interned {
        let (text, ends, hasher) = (&self.text, &self.ends, &self.hasher);
        let key_of = |index: u32| -> &str {
            let index = index as usize;
            let start = index.checked_sub(1).and_then(|before| ends.get(before));
            let end = ends.get(index).copied().unwrap_or_default();
            text.get(start.copied().unwrap_or_default()..end)
                .unwrap_or_default()
        };
        if let Some(last) = self.last.filter(|last| key_of(*last) == key) {
            return Interned {
                index: last,
                is_new: false,
            };
        }
        let hash = hasher.hash_one(key);
        let interned = match self.table.entry(
            hash,
            |known| key_of(*known) == key,
            |known| hasher.hash_one(key_of(*known)),
        ) {
            Entry::Occupied(found) => Interned {
                index: *found.get(),
                is_new: false,
            },
            Entry::Vacant(slot) => {
                let index = u32::try_from(self.ends.len()).unwrap_or(u32::MAX);
                slot.insert(index);
                self.text.push_str(key);
                self.ends.push(self.text.len());
                Interned {
                    index,
                    is_new: true,
                }
            }
        };
        self.last = Some(interned.index);
        interned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_keeps_the_number_it_was_first_given() {
        let mut index = KeyIndex::default();
        let keys: Vec<String> = (0..50_000)
            .map(|n| format!("company-{}", n % 20_000))
            .collect();
        let mut given = std::collections::HashMap::new();
        for key in &keys {
            let interned = index.intern(key);
            let expected_new = !given.contains_key(key);
            let first = *given.entry(key.clone()).or_insert(interned.index);
            assert_eq!(interned.index, first, "{key}");
            assert_eq!(interned.is_new, expected_new, "{key}");
        }
        assert_eq!(given.len(), 20_000);
        // Keys that are prefixes of each other, and the empty key, stay apart.
        let mut index = KeyIndex::default();
        for (number, key) in ["ab", "a", "", "abc", "b"].into_iter().enumerate() {
            let interned = index.intern(key);
            assert!(interned.is_new);
            assert_eq!(interned.index as usize, number);
        }
        for (number, key) in ["ab", "a", "", "abc", "b"].into_iter().enumerate() {
            let interned = index.intern(key);
            assert!(!interned.is_new);
            assert_eq!(interned.index as usize, number);
        }
    }
}
