//! DOCX typesetting of the content blocks with `docx-rs`.
//!
//! Word does the line and page breaking itself; we set A4 sections (the plan
//! in a landscape one), fixed-width tables and Times New Roman, which every
//! office suite that opens a Russian document has.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, Docx, HeightRule, LineSpacing, PageMargin, PageOrientationType, PageSize,
    Paragraph, Run, RunFonts, SectionProperty, Shading, SpecialIndentType, Tab, TabValueType,
    Table as DocxTable, TableCell, TableCellMargins, TableLayoutType, TableRow, VAlignType,
    WidthType,
};

use crate::content::{
    Align, Block, Cell, Orientation, SIGNATURE_CAPTIONS, Span, Table, TableSize, TextSize,
};

const FONT: &str = "Times New Roman";
/// A4 in twips (1/20 pt).
const A4_SHORT: u32 = 11906;
const A4_LONG: u32 = 16838;
const SHADE: &str = "E7E6E6";

/// The row height docx-rs writes for header rows; `mark_header_rows` turns
/// it into a repeat-on-every-page mark, which docx-rs cannot write itself.
const HEADER_ROW_MARK: &str = r#"<w:trHeight w:val="1" w:hRule="atLeast" />"#;

struct Geometry {
    w: u32,
    h: u32,
    margin: PageMargin,
    orient: PageOrientationType,
    /// Text width in twips.
    width: u32,
}

fn geometry(o: Orientation) -> Geometry {
    match o {
        // Russian office practice: 2.5 cm left for the binding, 1.5 cm right.
        Orientation::Portrait => Geometry {
            w: A4_SHORT,
            h: A4_LONG,
            margin: margin(1134, 851, 1134, 1418),
            orient: PageOrientationType::Portrait,
            width: A4_SHORT - 1418 - 851,
        },
        Orientation::Landscape => Geometry {
            w: A4_LONG,
            h: A4_SHORT,
            margin: margin(1134, 1134, 851, 1134),
            orient: PageOrientationType::Landscape,
            width: A4_LONG - 1134 - 1134,
        },
    }
}

fn margin(top: i32, right: i32, bottom: i32, left: i32) -> PageMargin {
    PageMargin {
        top,
        left,
        bottom,
        right,
        header: 709,
        footer: 709,
        gutter: 0,
    }
}

fn section_property(o: Orientation) -> SectionProperty {
    let g = geometry(o);
    SectionProperty::new()
        .page_size(PageSize::new().size(g.w, g.h))
        .page_margin(g.margin)
        .page_orient(g.orient)
}

/// Builds paragraphs with sequential ids: docx-rs would draw them from a
/// thread-local counter, which makes two renders in one thread differ.
struct Writer {
    docx: Docx,
    next_id: u32,
    section: Orientation,
}

impl Writer {
    fn paragraph(&mut self) -> Paragraph {
        self.next_id += 1;
        Paragraph::new().id(format!("{:08X}", 0x1000_0000 + self.next_id))
    }

    fn spans(&mut self, spans: &[Span], size: usize) -> Paragraph {
        spans.iter().fold(self.paragraph(), |p, s| {
            p.add_run(run(&s.text, s.bold, size))
        })
    }

    fn push(&mut self, p: Paragraph) {
        let docx = std::mem::take(&mut self.docx);
        self.docx = docx.add_paragraph(p);
    }

    fn push_table(&mut self, t: DocxTable) {
        let docx = std::mem::take(&mut self.docx);
        self.docx = docx.add_table(t);
    }
}

fn run(text: &str, bold: bool, size: usize) -> Run {
    let r = Run::new().add_text(text).size(size);
    if bold { r.bold() } else { r }
}

fn spacing(before: u32, after: u32) -> LineSpacing {
    LineSpacing::new().before(before).after(after).line(240)
}

fn half_points(size: TextSize) -> usize {
    match size {
        TextSize::Title => 28,
        TextSize::Large => 26,
        TextSize::Normal => 24,
    }
}

fn alignment(a: Align) -> AlignmentType {
    match a {
        Align::Left => AlignmentType::Left,
        Align::Center => AlignmentType::Center,
    }
}

pub(crate) fn render(blocks: &[Block]) -> Vec<u8> {
    let mut w = Writer {
        docx: Docx::new()
            .default_fonts(
                RunFonts::new()
                    .ascii(FONT)
                    .hi_ansi(FONT)
                    .cs(FONT)
                    .east_asia(FONT),
            )
            .default_size(24),
        next_id: 0,
        section: Orientation::Portrait,
    };
    let mut first = true;
    for (i, block) in blocks.iter().enumerate() {
        match block {
            Block::Section(o) => {
                if !first {
                    // A section ends with a paragraph that carries its
                    // properties; the next section starts on a new page.
                    let p = w
                        .paragraph()
                        .size(2)
                        .section_property(section_property(w.section));
                    w.push(p);
                }
                w.section = *o;
            }
            Block::Paragraph { spans, align, size } => {
                let mut p = w
                    .spans(spans, half_points(*size))
                    .align(alignment(*align))
                    .line_spacing(spacing(0, 120));
                // A sign-off may not stand alone on a page: the paragraph
                // before it goes along (Word keeps at least two lines).
                if signs_next(blocks, i) {
                    p = p.keep_next(true);
                }
                w.push(p);
            }
            Block::Heading(text) => {
                let p = w
                    .spans(&[Span::bold(text)], half_points(TextSize::Large))
                    .keep_next(true)
                    .outline_lvl(0)
                    .line_spacing(spacing(240, 120));
                w.push(p);
            }
            Block::List { markers, items } => {
                for (marker, item) in markers.iter().zip(items) {
                    let p = w
                        .paragraph()
                        .add_run(run(marker, false, 24))
                        .add_run(Run::new().add_tab())
                        .add_run(run(item, false, 24))
                        .indent(Some(567), Some(SpecialIndentType::Hanging(567)), None, None)
                        .add_tab(Tab::new().val(TabValueType::Left).pos(567))
                        .line_spacing(spacing(0, 60));
                    w.push(p);
                }
            }
            Block::Table(t) => {
                let width = geometry(w.section).width;
                let table = table(&mut w, t, width);
                w.push_table(table);
                // Keeps the next table or heading from gluing onto this one.
                let p = w.paragraph().size(8).line_spacing(spacing(0, 0));
                w.push(p);
            }
            Block::Signatures(roles) => {
                let kept = i > 0 && signs_next(blocks, i - 1);
                signatures(&mut w, roles, kept);
            }
        }
        first = false;
    }
    let g = geometry(w.section);
    let docx = w
        .docx
        .page_size(g.w, g.h)
        .page_margin(g.margin)
        .page_orient(g.orient);
    let mut xml = docx.build();
    xml.document = mark_header_rows(&xml.document);
    let mut out = Cursor::new(Vec::new());
    xml.pack(&mut out)
        .expect("writing a DOCX into memory cannot fail");
    out.into_inner()
}

fn table(w: &mut Writer, t: &Table, width: u32) -> DocxTable {
    let size = match t.size {
        TableSize::Normal => 22,
        TableSize::Small => 20,
    };
    let total: u32 = t.widths.iter().sum();
    let mut grid: Vec<usize> = t
        .widths
        .iter()
        .map(|c| (u64::from(width) * u64::from(*c) / u64::from(total)) as usize)
        .collect();
    // Rounding leftovers go to the widest column so the table fills the line.
    let rest = width as usize - grid.iter().sum::<usize>();
    if let Some(widest) = (0..grid.len()).max_by_key(|&i| (grid[i], std::cmp::Reverse(i))) {
        grid[widest] += rest;
    }
    let mut rows = Vec::new();
    if !t.header.is_empty() {
        let cells = cells(w, &t.header, &grid, size);
        rows.push(
            TableRow::new(cells)
                .cant_split()
                .row_height(1.0)
                .height_rule(HeightRule::AtLeast),
        );
    }
    // Rows stay whole, as in the PDF; Word still breaks one taller than a page.
    for row in &t.rows {
        rows.push(TableRow::new(cells(w, row, &grid, size)).cant_split());
    }
    DocxTable::new(rows)
        .set_grid(grid)
        .width(width as usize, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
        .margins(TableCellMargins::new().margin(40, 85, 40, 85))
}

fn cells(w: &mut Writer, row: &[Cell], grid: &[usize], size: usize) -> Vec<TableCell> {
    row.iter()
        .zip(grid)
        .map(|(c, width)| {
            let mut cell = TableCell::new()
                .width(*width, WidthType::Dxa)
                .vertical_align(VAlignType::Top);
            if c.shaded {
                cell = cell.shading(Shading::new().fill(SHADE));
            }
            for text in &c.paragraphs {
                let p = w
                    .paragraph()
                    .add_run(run(text, c.bold, size))
                    .align(alignment(c.align))
                    .line_spacing(spacing(0, 0));
                cell = cell.add_paragraph(p);
            }
            cell
        })
        .collect()
}

/// Whether `blocks[i]` is a paragraph right before the sign-offs.
fn signs_next(blocks: &[Block], i: usize) -> bool {
    matches!(blocks.get(i), Some(Block::Paragraph { .. }))
        && matches!(blocks.get(i + 1), Some(Block::Signatures(_)))
}

/// `kept`: the paragraph before is kept with the first sign-off, so the
/// space between them must be too.
fn signatures(w: &mut Writer, roles: &[String], kept: bool) {
    // Blanks sized for 12 pt Times; the captions are centred under them by
    // tab stops (twips from the left margin).
    let blanks = format!(
        "{} / {} / {}",
        "_".repeat(16),
        "_".repeat(24),
        "_".repeat(16)
    );
    let tabs = [960, 3550, 6140];
    let mut p = w.paragraph().line_spacing(spacing(480, 0));
    if kept {
        p = p.keep_next(true);
    }
    w.push(p);
    for role in roles {
        let p = w
            .paragraph()
            .add_run(run(role, true, 24))
            .keep_next(true)
            .line_spacing(spacing(240, 120));
        w.push(p);
        let p = w
            .paragraph()
            .add_run(run(&blanks, false, 24))
            .keep_next(true)
            .line_spacing(spacing(0, 0));
        w.push(p);
        let mut p = w.paragraph().line_spacing(spacing(0, 120));
        for (pos, caption) in tabs.iter().zip(SIGNATURE_CAPTIONS) {
            p = p
                .add_tab(Tab::new().val(TabValueType::Center).pos(*pos))
                .add_run(Run::new().add_tab())
                .add_run(run(caption, false, 16));
        }
        w.push(p);
    }
}

/// Marks header rows (written with [`HEADER_ROW_MARK`]) to repeat at the top
/// of every page the table runs onto (`w:tblHeader`).
fn mark_header_rows(document: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(document).expect("docx-rs writes UTF-8");
    text.replace(
        HEADER_ROW_MARK,
        &format!("{HEADER_ROW_MARK}<w:tblHeader />"),
    )
    .into_bytes()
}
