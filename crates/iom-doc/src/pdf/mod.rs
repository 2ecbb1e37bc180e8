//! PDF typesetting: our own layout (`layout`), drawn with krilla, which
//! writes the PDF objects and embeds the fonts as subsets.

mod font;
mod layout;

use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::{Document, SerializeSettings};

pub(crate) use layout::layout;
#[cfg(test)]
pub(crate) use layout::{Item, Layout, dump};

use font::Faces;

const BORDER_WIDTH: f32 = 0.5;
const SHADE: u8 = 231;

/// `title` goes into the document information (what a viewer shows in its
/// title bar).
pub(crate) fn render(layout: &layout::Layout, title: &str) -> Vec<u8> {
    let faces = Faces::get();
    let settings = SerializeSettings {
        // XMP metadata carries nothing we need and would add a second copy
        // of the document info.
        xmp_metadata: false,
        ..SerializeSettings::default()
    };
    let mut document = Document::new_with(settings);
    document.set_metadata(
        Metadata::new()
            .title(title.to_owned())
            .language("ru".to_owned())
            .creator("Маршрут".to_owned()),
    );
    for p in &layout.pages {
        let settings = PageSettings::from_wh(p.width, p.height).expect("A4 is a valid page size");
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for item in &p.items {
            match item {
                layout::Item::Shade { x, y, w, h } => {
                    let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) else {
                        continue;
                    };
                    let mut pb = PathBuilder::new();
                    pb.push_rect(rect);
                    if let Some(path) = pb.finish() {
                        surface.set_stroke(None);
                        surface.set_fill(Some(Fill {
                            paint: luma::Color::new(SHADE).into(),
                            opacity: NormalizedF32::ONE,
                            rule: Default::default(),
                        }));
                        surface.draw_path(&path);
                    }
                }
                layout::Item::Line { x1, y1, x2, y2 } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(*x1, *y1);
                    pb.line_to(*x2, *y2);
                    if let Some(path) = pb.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            width: BORDER_WIDTH,
                            ..Stroke::default()
                        }));
                        surface.draw_path(&path);
                    }
                }
                layout::Item::Text {
                    x,
                    y,
                    size,
                    bold,
                    text,
                    ..
                } => {
                    let face = faces.face(*bold);
                    surface.set_stroke(None);
                    surface.set_fill(Some(Fill::default()));
                    surface.draw_glyphs(
                        Point::from_xy(*x, *y),
                        &face.glyphs(text),
                        face.font.clone(),
                        text,
                        *size,
                        false,
                    );
                }
            }
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .expect("krilla writes a PDF from valid pages and fonts")
}
