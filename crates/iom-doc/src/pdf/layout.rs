//! Page layout of the content blocks: line wrapping by the font's advances,
//! tables with a header repeated on every page, rows moved whole to the next
//! page when they fit one (and split line by line when they do not),
//! headings kept with what follows.
//!
//! The result is a plain list of positioned items per page, which the
//! renderer draws and the tests inspect. Coordinates are points from the
//! top-left corner; a text's `y` is its baseline.

use super::font::Faces;
use crate::content::{
    Align, Block, Cell, Orientation, SIGNATURE_CAPTIONS, Span, Table, TableSize, TextSize,
};

const A4_SHORT: f32 = 595.28;
const A4_LONG: f32 = 841.89;
/// Line height as a multiple of the font size.
const LEADING: f32 = 1.25;
const CELL_PAD_X: f32 = 3.0;
const CELL_PAD_Y: f32 = 2.5;
const FOOTER_SIZE: f32 = 7.5;
/// Room kept for the first lines after a heading.
const KEEP_WITH_HEADING: f32 = 36.0;
/// Space above the sign-off lines, and the size of their captions.
const SIGNATURES_BEFORE: f32 = 16.0;
const SIGNATURE_CAPTION: f32 = 7.0;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        text: String,
        width: f32,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
    },
    /// A grey cell background.
    Shade {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Page {
    pub width: f32,
    pub height: f32,
    /// The area text may use (left, top, right, bottom).
    pub frame: [f32; 4],
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Layout {
    pub pages: Vec<Page>,
}

fn page(o: Orientation) -> Page {
    // The same margins as the DOCX: 2.5 cm binding edge, 1.5 cm opposite.
    let (width, height, frame) = match o {
        Orientation::Portrait => (
            A4_SHORT,
            A4_LONG,
            [70.9, 56.7, A4_SHORT - 42.55, A4_LONG - 56.7],
        ),
        Orientation::Landscape => (
            A4_LONG,
            A4_SHORT,
            [56.7, 56.7, A4_LONG - 56.7, A4_SHORT - 42.55],
        ),
    };
    Page {
        width,
        height,
        frame,
        items: Vec::new(),
    }
}

/// A run of text in one face within a wrapped line.
#[derive(Debug, Clone, PartialEq)]
struct Run {
    text: String,
    bold: bool,
    width: f32,
}

#[derive(Debug, Clone, PartialEq, Default)]
struct Line {
    runs: Vec<Run>,
    width: f32,
}

impl Line {
    fn push(&mut self, faces: &Faces, text: &str, bold: bool, size: f32) {
        let width = faces.face(bold).width(text, size);
        self.width += width;
        match self.runs.last_mut() {
            Some(last) if last.bold == bold => {
                last.text.push_str(text);
                last.width += width;
            }
            _ => self.runs.push(Run {
                text: text.to_owned(),
                bold,
                width,
            }),
        }
    }

    fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }
}

/// A piece of text that may not be broken, except where it alone is wider
/// than the line.
struct Piece {
    text: String,
    bold: bool,
    space_before: bool,
    break_before: bool,
}

/// Splits spans at spaces (dropped; remembered as `space_before`), after a
/// hyphen or slash inside a word (kept), and at newlines (forced breaks).
fn pieces(spans: &[Span]) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut buf = String::new();
    let mut space = false;
    let mut brk = false;
    for span in spans {
        for c in span.text.chars() {
            match c {
                ' ' | '\t' | '\n' | '\r' => {
                    if !buf.is_empty() {
                        out.push(Piece {
                            text: std::mem::take(&mut buf),
                            bold: span.bold,
                            space_before: space,
                            break_before: brk,
                        });
                        brk = false;
                    }
                    if c == '\n' {
                        brk = true;
                        space = false;
                    } else {
                        space = true;
                    }
                }
                '-' | '/' if buf.chars().last().is_some_and(char::is_alphanumeric) => {
                    buf.push(c);
                    out.push(Piece {
                        text: std::mem::take(&mut buf),
                        bold: span.bold,
                        space_before: space,
                        break_before: brk,
                    });
                    space = false;
                    brk = false;
                }
                _ => buf.push(c),
            }
        }
        if !buf.is_empty() {
            out.push(Piece {
                text: std::mem::take(&mut buf),
                bold: span.bold,
                space_before: space,
                break_before: brk,
            });
            space = false;
            brk = false;
        }
    }
    out
}

/// Greedy line filling; a piece wider than the line is cut between
/// characters.
fn wrap(faces: &Faces, spans: &[Span], size: f32, max: f32) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut line = Line::default();
    for p in pieces(spans) {
        if p.break_before && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        let face = faces.face(p.bold);
        let w = face.width(&p.text, size);
        let space = if p.space_before && !line.is_empty() {
            face.width(" ", size)
        } else {
            0.0
        };
        if line.width + space + w <= max + 0.01 {
            if space > 0.0 {
                line.push(faces, " ", p.bold, size);
            }
            line.push(faces, &p.text, p.bold, size);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if w <= max + 0.01 {
            line.push(faces, &p.text, p.bold, size);
            continue;
        }
        for c in p.text.chars() {
            let cw = face.width(c.encode_utf8(&mut [0; 4]), size);
            if !line.is_empty() && line.width + cw > max + 0.01 {
                lines.push(std::mem::take(&mut line));
            }
            line.push(faces, c.encode_utf8(&mut [0; 4]), p.bold, size);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

fn text_points(size: TextSize) -> f32 {
    match size {
        TextSize::Title => 14.0,
        TextSize::Large => 12.0,
        TextSize::Normal => 10.5,
    }
}

fn table_points(size: TableSize) -> f32 {
    match size {
        TableSize::Normal => 9.5,
        TableSize::Small => 8.0,
    }
}

/// A table row made ready to place: each cell's wrapped lines.
struct PreparedRow<'a> {
    cells: Vec<(&'a Cell, Vec<Line>)>,
}

impl PreparedRow<'_> {
    fn lines(&self) -> usize {
        self.cells.iter().map(|(_, l)| l.len()).max().unwrap_or(0)
    }
}

struct Composer<'f> {
    faces: &'f Faces,
    pages: Vec<Page>,
    orientation: Orientation,
    y: f32,
    /// Where the last table row on this page ended, so the next row does
    /// not draw the shared border twice.
    last_row_bottom: Option<f32>,
}

impl<'f> Composer<'f> {
    fn page(&mut self) -> &mut Page {
        self.pages
            .last_mut()
            .expect("a section starts a page first")
    }

    fn frame(&self) -> [f32; 4] {
        self.pages
            .last()
            .expect("a section starts a page first")
            .frame
    }

    fn new_page(&mut self) {
        let p = page(self.orientation);
        self.y = p.frame[1];
        self.last_row_bottom = None;
        self.pages.push(p);
    }

    fn room(&self) -> f32 {
        self.frame()[3] - self.y
    }

    /// Starts a new page unless `height` still fits on this one (or the page
    /// is empty, where waiting would not help).
    fn ensure(&mut self, height: f32) {
        if height > self.room() + 0.01 && self.y > self.frame()[1] + 0.01 {
            self.new_page();
        }
    }

    fn baseline(&self, size: f32) -> f32 {
        let f = &self.faces.regular;
        let line = size * LEADING;
        (line - (f.ascent + f.descent) * size) / 2.0 + f.ascent * size
    }

    /// Places one wrapped line whose box starts at `top`.
    fn draw_line(&mut self, line: &Line, x: f32, top: f32, size: f32) {
        let mut x = x;
        let y = top + self.baseline(size);
        for run in &line.runs {
            self.page().items.push(Item::Text {
                x,
                y,
                size,
                bold: run.bold,
                text: run.text.clone(),
                width: run.width,
            });
            x += run.width;
        }
    }

    /// `keep` is the height of what must follow on the same page as the
    /// last two lines (a sign-off, which may not stand alone on a page).
    fn paragraph(&mut self, spans: &[Span], align: Align, size: f32, keep: f32) {
        let [left, _, right, _] = self.frame();
        let width = right - left;
        let lh = size * LEADING;
        let lines = wrap(self.faces, spans, size, width);
        let tail = lines.len().saturating_sub(2);
        for (i, line) in lines.iter().enumerate() {
            if i == tail && keep > 0.0 {
                self.ensure((lines.len() - i) as f32 * lh + size * 0.4 + keep);
            } else {
                self.ensure(lh);
            }
            let x = match align {
                Align::Left => left,
                Align::Center => left + (width - line.width) / 2.0,
            };
            let top = self.y;
            self.draw_line(line, x, top, size);
            self.y += lh;
        }
        self.y += size * 0.4;
    }

    fn list(&mut self, markers: &[String], items: &[String]) {
        let size = text_points(TextSize::Normal);
        let indent = 18.0;
        let [left, _, right, _] = self.frame();
        let lh = size * LEADING;
        for (marker, item) in markers.iter().zip(items) {
            let lines = wrap(
                self.faces,
                &[Span::plain(item.as_str())],
                size,
                right - left - indent,
            );
            for (i, line) in lines.iter().enumerate() {
                self.ensure(lh);
                let top = self.y;
                if i == 0 {
                    let m = wrap(self.faces, &[Span::plain(marker.as_str())], size, indent);
                    self.draw_line(&m[0], left, top, size);
                }
                self.draw_line(line, left + indent, top, size);
                self.y += lh;
            }
            self.y += size * 0.2;
        }
        self.y += size * 0.3;
    }

    fn heading(&mut self, text: &str, next: Option<&Block>) {
        let size = text_points(TextSize::Large);
        let [left, _, right, _] = self.frame();
        let lines = wrap(self.faces, &[Span::bold(text)], size, right - left);
        let before = if self.y > self.frame()[1] + 0.01 {
            8.0
        } else {
            0.0
        };
        let height = before + lines.len() as f32 * size * LEADING + 4.0;
        let keep = match next {
            Some(Block::Table(t)) => self.table_start_height(t),
            _ => KEEP_WITH_HEADING,
        };
        self.ensure(height + keep);
        if self.y > self.frame()[1] + 0.01 {
            self.y += before;
        }
        for line in &lines {
            let top = self.y;
            self.draw_line(line, left, top, size);
            self.y += size * LEADING;
        }
        self.y += 4.0;
    }

    fn columns(&self, t: &Table) -> Vec<(f32, f32)> {
        let [left, _, right, _] = self.frame();
        let total: u32 = t.widths.iter().sum();
        let mut x = left;
        t.widths
            .iter()
            .map(|w| {
                let width = (right - left) * *w as f32 / total as f32;
                let col = (x, width);
                x += width;
                col
            })
            .collect()
    }

    fn prepare<'a>(&self, cells: &'a [Cell], cols: &[(f32, f32)], size: f32) -> PreparedRow<'a> {
        PreparedRow {
            cells: cells
                .iter()
                .zip(cols)
                .map(|(c, (_, w))| {
                    let lines = c
                        .paragraphs
                        .iter()
                        .flat_map(|p| {
                            wrap(
                                self.faces,
                                &[Span {
                                    text: p.clone(),
                                    bold: c.bold,
                                }],
                                size,
                                w - 2.0 * CELL_PAD_X,
                            )
                        })
                        .collect();
                    (c, lines)
                })
                .collect(),
        }
    }

    fn row_height(lines: usize, size: f32) -> f32 {
        2.0 * CELL_PAD_Y + lines as f32 * size * LEADING
    }

    /// What must fit before a table may start on this page: the header and
    /// the first row, or, when that row is taller than a page and will be
    /// cut anyway, its first two lines.
    fn table_start_height(&self, t: &Table) -> f32 {
        let size = table_points(t.size);
        let cols = self.columns(t);
        let header = if t.header.is_empty() {
            0.0
        } else {
            Self::row_height(self.prepare(&t.header, &cols, size).lines(), size)
        };
        let first = t
            .rows
            .first()
            .map(|r| Self::row_height(self.prepare(r, &cols, size).lines(), size))
            .unwrap_or(0.0);
        let page = self.frame()[3] - self.frame()[1];
        if header + first <= page + 0.01 {
            header + first
        } else {
            header + Self::row_height(2, size)
        }
    }

    /// Draws `lines` rows of text of each cell (from `from` on), with
    /// backgrounds and borders, at the current position.
    fn draw_row(
        &mut self,
        row: &PreparedRow,
        cols: &[(f32, f32)],
        from: usize,
        lines: usize,
        size: f32,
    ) {
        let top = self.y;
        let height = Self::row_height(lines, size);
        let bottom = top + height;
        for ((cell, _), (x, w)) in row.cells.iter().zip(cols) {
            if cell.shaded {
                self.page().items.push(Item::Shade {
                    x: *x,
                    y: top,
                    w: *w,
                    h: height,
                });
            }
        }
        for ((cell, cell_lines), (x, w)) in row.cells.iter().zip(cols) {
            for (i, line) in cell_lines.iter().skip(from).take(lines).enumerate() {
                let lx = match cell.align {
                    Align::Left => x + CELL_PAD_X,
                    Align::Center => x + (w - line.width) / 2.0,
                };
                let ltop = top + CELL_PAD_Y + i as f32 * size * LEADING;
                self.draw_line(line, lx, ltop, size);
            }
        }
        let left = cols[0].0;
        let (lx, lw) = cols[cols.len() - 1];
        let right = lx + lw;
        let shared_top = self.last_row_bottom.is_some_and(|b| (b - top).abs() < 0.01);
        self.last_row_bottom = Some(bottom);
        let items = &mut self.page().items;
        if !shared_top {
            items.push(Item::Line {
                x1: left,
                y1: top,
                x2: right,
                y2: top,
            });
        }
        items.push(Item::Line {
            x1: left,
            y1: bottom,
            x2: right,
            y2: bottom,
        });
        for x in cols.iter().map(|(x, _)| *x).chain([right]) {
            items.push(Item::Line {
                x1: x,
                y1: top,
                x2: x,
                y2: bottom,
            });
        }
        self.y = bottom;
    }

    fn table(&mut self, t: &Table) {
        let size = table_points(t.size);
        let cols = self.columns(t);
        let header = (!t.header.is_empty()).then(|| self.prepare(&t.header, &cols, size));
        let header_h = header
            .as_ref()
            .map_or(0.0, |h| Self::row_height(h.lines(), size));
        let line_h = size * LEADING;
        self.ensure(self.table_start_height(t));
        if let Some(h) = &header {
            self.draw_row(h, &cols, 0, h.lines(), size);
        }
        for cells in &t.rows {
            let row = self.prepare(cells, &cols, size);
            let total = row.lines();
            let mut from = 0;
            while from < total {
                let need = Self::row_height(total - from, size);
                let page_room = self.frame()[3] - self.frame()[1] - header_h;
                let at_top = self.y <= self.frame()[1] + header_h + 0.01;
                let take = if need <= self.room() + 0.01 {
                    total - from
                } else if need <= page_room + 0.01 {
                    // A row that fits a page moves there whole.
                    0
                } else {
                    // A row taller than a page is cut where the page ends,
                    // leaving no single line behind.
                    let fit = ((self.room() - 2.0 * CELL_PAD_Y) / line_h).floor().max(0.0) as usize;
                    if fit >= 2 || at_top { fit.max(1) } else { 0 }
                };
                if take == 0 {
                    self.new_page();
                    if let Some(h) = &header {
                        self.draw_row(h, &cols, 0, h.lines(), size);
                    }
                    continue;
                }
                self.draw_row(&row, &cols, from, take, size);
                from += take;
                if from < total {
                    self.new_page();
                    if let Some(h) = &header {
                        self.draw_row(h, &cols, 0, h.lines(), size);
                    }
                }
            }
        }
        self.y += 8.0;
    }

    /// One sign-off line's role, wrapped, and the height of the whole line
    /// (role, blanks, captions), which stays together.
    fn signature_block(&self, role: &str) -> (Vec<Line>, f32) {
        let size = text_points(TextSize::Normal);
        let [left, _, right, _] = self.frame();
        let role_lines = wrap(self.faces, &[Span::bold(role)], size, right - left);
        let height =
            role_lines.len() as f32 * size * LEADING + 18.0 + SIGNATURE_CAPTION * LEADING + 9.0;
        (role_lines, height)
    }

    /// What a paragraph right before the sign-offs keeps with it: the space
    /// above them and the first one.
    fn signatures_start_height(&self, roles: &[String]) -> f32 {
        roles
            .first()
            .map_or(0.0, |r| SIGNATURES_BEFORE + self.signature_block(r).1)
    }

    fn signatures(&mut self, roles: &[String]) {
        let size = text_points(TextSize::Normal);
        let caption = SIGNATURE_CAPTION;
        let [left, _, _, _] = self.frame();
        let blanks = [130.0, 170.0, 100.0];
        let slash = self.faces.regular.width(" / ", size);
        self.y += SIGNATURES_BEFORE;
        for role in roles {
            let (role_lines, block) = self.signature_block(role);
            self.ensure(block);
            for line in &role_lines {
                let top = self.y;
                self.draw_line(line, left, top, size);
                self.y += size * LEADING;
            }
            self.y += 18.0;
            let base = self.y;
            let mut x = left;
            for (i, w) in blanks.iter().enumerate() {
                self.page().items.push(Item::Line {
                    x1: x,
                    y1: base,
                    x2: x + w,
                    y2: base,
                });
                let cap = &wrap(
                    self.faces,
                    &[Span::plain(SIGNATURE_CAPTIONS[i])],
                    caption,
                    *w,
                )[0];
                let cx = x + (w - cap.width) / 2.0;
                self.draw_line(cap, cx, base + 1.0, caption);
                x += w;
                if i + 1 < blanks.len() {
                    let s = &wrap(self.faces, &[Span::plain("/")], size, slash)[0];
                    self.draw_line(
                        s,
                        x + (slash - s.width) / 2.0,
                        base - size * LEADING + 2.0,
                        size,
                    );
                    x += slash;
                }
            }
            self.y = base + 1.0 + caption * LEADING + 8.0;
        }
    }

    fn footers(&mut self, label: &str) {
        let n = self.pages.len();
        let faces = self.faces;
        for (i, page) in self.pages.iter_mut().enumerate() {
            let y = page.height - 28.0;
            let [left, _, right, _] = page.frame;
            let number = format!("Страница {} из {n}", i + 1);
            let nw = faces.regular.width(&number, FOOTER_SIZE);
            let lw = faces.regular.width(label, FOOTER_SIZE);
            if lw + nw + 12.0 <= right - left {
                page.items.push(Item::Text {
                    x: left,
                    y,
                    size: FOOTER_SIZE,
                    bold: false,
                    text: label.to_owned(),
                    width: lw,
                });
            }
            page.items.push(Item::Text {
                x: right - nw,
                y,
                size: FOOTER_SIZE,
                bold: false,
                text: number,
                width: nw,
            });
        }
    }
}

pub(crate) fn layout(blocks: &[Block], footer: &str) -> Layout {
    let mut c = Composer {
        faces: Faces::get(),
        pages: Vec::new(),
        orientation: Orientation::Portrait,
        y: 0.0,
        last_row_bottom: None,
    };
    for (i, block) in blocks.iter().enumerate() {
        if c.pages.is_empty() && !matches!(block, Block::Section(_)) {
            c.new_page();
        }
        match block {
            Block::Section(o) => {
                c.orientation = *o;
                c.new_page();
            }
            Block::Paragraph { spans, align, size } => {
                let keep = match blocks.get(i + 1) {
                    Some(Block::Signatures(roles)) => c.signatures_start_height(roles),
                    _ => 0.0,
                };
                c.paragraph(spans, *align, text_points(*size), keep);
            }
            Block::Heading(text) => c.heading(text, blocks.get(i + 1)),
            Block::List { markers, items } => c.list(markers, items),
            Block::Table(t) => c.table(t),
            Block::Signatures(roles) => c.signatures(roles),
        }
    }
    c.footers(footer);
    Layout { pages: c.pages }
}

/// A readable dump of the layout, one item a line, for snapshot tests.
#[cfg(test)]
pub(crate) fn dump(layout: &Layout) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for (i, p) in layout.pages.iter().enumerate() {
        let _ = writeln!(out, "page {} {:.1}x{:.1}", i + 1, p.width, p.height);
        for item in &p.items {
            let _ = match item {
                Item::Text {
                    x,
                    y,
                    size,
                    bold,
                    text,
                    ..
                } => writeln!(
                    out,
                    "  T {x:.1} {y:.1} {size}{} {text}",
                    if *bold { "b" } else { "" }
                ),
                Item::Line { x1, y1, x2, y2 } => {
                    writeln!(out, "  L {x1:.1} {y1:.1} {x2:.1} {y2:.1}")
                }
                Item::Shade { x, y, w, h } => writeln!(out, "  S {x:.1} {y:.1} {w:.1} {h:.1}"),
            };
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.runs.iter().map(|r| r.text.as_str()).collect())
            .collect()
    }

    #[test]
    fn wraps_at_spaces_and_hyphens_and_cuts_long_words() {
        let faces = Faces::get();
        let size = 10.0;
        let w = faces.regular.width("организационно-", size) + 1.0;
        let lines = wrap(
            faces,
            &[Span::plain("организационно-методическое сопровождение")],
            size,
            w,
        );
        assert_eq!(
            words(&lines),
            ["организационно-", "методическое", "сопровождение"]
        );
        for l in &lines {
            assert!(l.width <= w + 0.01);
        }
        let narrow = faces.regular.width("абв", size);
        let lines = wrap(faces, &[Span::plain("абвгдежзик")], size, narrow);
        assert_eq!(words(&lines).concat(), "абвгдежзик");
        assert!(lines.len() >= 3);
        for l in &lines {
            assert!(l.width <= narrow + 0.01);
        }
    }

    #[test]
    fn keeps_spans_in_their_faces() {
        let faces = Faces::get();
        let lines = wrap(
            faces,
            &[Span::bold("Цель: "), Span::plain("освоить")],
            10.0,
            500.0,
        );
        assert_eq!(lines.len(), 1);
        let runs: Vec<(&str, bool)> = lines[0]
            .runs
            .iter()
            .map(|r| (r.text.as_str(), r.bold))
            .collect();
        assert_eq!(runs, [("Цель:", true), (" освоить", false)]);
    }
}
