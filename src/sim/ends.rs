//! Where each chunk of a reply ends, kept as small as the reply allows: a
//! stream holds its reply's ends for its whole life, one per token.

/// Chunk end offsets in bytes, ascending: two bytes each for a reply under
/// 64 KiB (nearly every reply), four otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ends {
    /// Every offset fits in 16 bits.
    Narrow(Box<[u16]>),
    /// Some offset does not.
    Wide(Box<[u32]>),
}

impl Ends {
    /// Stores `ends` in the narrowest form that holds them all.
    pub fn new(ends: Vec<u32>) -> Self {
        let narrow: Option<Box<[u16]>> = ends.iter().map(|&end| u16::try_from(end).ok()).collect();
        match narrow {
            Some(narrow) => Ends::Narrow(narrow),
            None => Ends::Wide(ends.into_boxed_slice()),
        }
    }

    /// The end of chunk `i`, if there is one.
    pub fn get(&self, i: usize) -> Option<u32> {
        match self {
            Ends::Narrow(ends) => ends.get(i).map(|&end| u32::from(end)),
            Ends::Wide(ends) => ends.get(i).copied(),
        }
    }

    /// Where chunk `i` starts and ends, if there is one.
    pub fn span(&self, i: usize) -> Option<(usize, usize)> {
        let end = self.get(i)? as usize;
        let start = match i {
            0 => 0,
            _ => self.get(i - 1).map_or(0, |start| start as usize),
        };
        Some((start, end))
    }

    /// Number of chunks.
    pub fn len(&self) -> usize {
        match self {
            Ends::Narrow(ends) => ends.len(),
            Ends::Wide(ends) => ends.len(),
        }
    }

    /// True when there are no chunks.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_replies_take_two_bytes_per_chunk_and_long_ones_four() {
        let short = Ends::new(vec![3, 7, 65_535]);
        assert!(matches!(short, Ends::Narrow(_)));
        assert_eq!(short.span(1), Some((3, 7)));
        assert_eq!(short.span(2), Some((7, 65_535)));
        let long = Ends::new(vec![3, 65_536]);
        assert!(matches!(long, Ends::Wide(_)));
        assert_eq!(long.span(0), Some((0, 3)));
        assert_eq!(long.span(1), Some((3, 65_536)));
        assert_eq!(long.span(2), None);
        assert_eq!((long.len(), Ends::new(Vec::new()).is_empty()), (2, true));
    }
}
