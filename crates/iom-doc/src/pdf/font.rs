//! The embedded fonts and their metrics.
//!
//! DejaVu Sans is vendored (see `fonts/COPYRIGHT-DejaVu.txt`) so the PDF
//! prints Cyrillic the same on any machine; krilla embeds only the glyphs
//! used. Text is set without shaping: Cyrillic and Latin need none, and
//! measuring with the same advances we draw with keeps wrapping exact.

use std::ops::Range;
use std::sync::OnceLock;

use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::charmap::Charmap;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::{FontRef, MetadataProvider};

static REGULAR: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../fonts/DejaVuSans-Bold.ttf");

pub(crate) struct Face {
    pub font: Font,
    charmap: Charmap<'static>,
    metrics: GlyphMetrics<'static>,
    units_per_em: f32,
    /// Ascent and descent (positive) in ems.
    pub ascent: f32,
    pub descent: f32,
}

impl Face {
    fn load(data: &'static [u8]) -> Face {
        let font_ref = FontRef::new(data).expect("the vendored font parses");
        let m = font_ref.metrics(Size::unscaled(), LocationRef::default());
        let units_per_em = f32::from(m.units_per_em);
        Face {
            font: Font::new(data.into(), 0).expect("krilla reads the vendored font"),
            charmap: font_ref.charmap(),
            metrics: font_ref.glyph_metrics(Size::unscaled(), LocationRef::default()),
            units_per_em,
            ascent: m.ascent / units_per_em,
            descent: -m.descent / units_per_em,
        }
    }

    fn glyph(&self, c: char) -> (u32, f32) {
        let gid = self.charmap.map(c).unwrap_or_default();
        let advance = self.metrics.advance_width(gid).unwrap_or(0.0) / self.units_per_em;
        (gid.to_u32(), advance)
    }

    /// Width of `text` at `size` points.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.glyph(c).1).sum::<f32>() * size
    }

    /// One glyph per character, with its advance (in ems) and the bytes of
    /// `text` it stands for, so copied text and search work in viewers.
    pub fn glyphs(&self, text: &str) -> Vec<KrillaGlyph> {
        text.char_indices()
            .map(|(i, c)| {
                let (gid, advance) = self.glyph(c);
                let range: Range<usize> = i..i + c.len_utf8();
                KrillaGlyph::new(GlyphId::new(gid), advance, 0.0, 0.0, 0.0, range, None)
            })
            .collect()
    }
}

pub(crate) struct Faces {
    pub regular: Face,
    pub bold: Face,
}

impl Faces {
    pub fn get() -> &'static Faces {
        static FACES: OnceLock<Faces> = OnceLock::new();
        FACES.get_or_init(|| Faces {
            regular: Face::load(REGULAR),
            bold: Face::load(BOLD),
        })
    }

    pub fn face(&self, bold: bool) -> &Face {
        if bold { &self.bold } else { &self.regular }
    }
}
