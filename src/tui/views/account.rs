//! One client's whole account over the gap table (`v`): every product, vendor seats against
//! PSA seats, including the rows that agree, so the conversation with the account manager
//! covers the whole account and not only what is wrong.

use super::cells::{flexible_width, money, seats};
use crate::domain::reconcile::{Account, Standing};
use crate::domain::text::{fit_middle, strip_control};
use crate::tui::app::App;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};

/// Terminals at least this wide also show the prices.
const WIDE: u16 = 110;

/// Draws the account into `area`.
pub fn draw(frame: &mut Frame, app: &App, account: &Account, area: Rect) {
    let [summary, table] =
        Layout::vertical([Constraint::Length(4), Constraint::Min(3)]).areas(area);
    let back = app
        .keymap
        .key_for("global", &crate::tui::action::Action::Back)
        .unwrap_or_default();
    let tenants = if account.vendor_customers.is_empty() {
        "no vendor customer mapped".to_string()
    } else {
        format!("vendor: {}", account.vendor_customers.join(", "))
    };
    let text = vec![
        Line::from(strip_control(&account.company_name)),
        Line::from(Span::styled(strip_control(&tenants), app.theme.muted())),
    ];
    let block = Block::default().borders(Borders::ALL).title(format!(
        "Account: {} row(s), {} agree ({back} to go back)",
        account.lines.len(),
        account.agreeing()
    ));
    frame.render_widget(Paragraph::new(text).block(block), summary);

    let wide = area.width >= WIDE;
    let mut fixed = vec![9, 6, 6, 22];
    if wide {
        fixed.extend([14, 14]);
    }
    let product_width = flexible_width(table, &fixed);
    let mut header = vec!["Product", "Term", "Vendor", "PSA", "Standing"];
    if wide {
        header.extend(["Price/seat", "Cost/seat"]);
    }
    let dash = || "—".to_string();
    let rows: Vec<Row> = account
        .lines
        .iter()
        .map(|line| {
            let style = standing_style(app, &line.standing);
            let mut cells = vec![
                Cell::from(fit_middle(&strip_control(&line.product), product_width)),
                Cell::from(line.term.as_str()),
                Cell::from(line.vendor_seats.map_or_else(dash, seats)),
                Cell::from(line.psa_seats.map_or_else(dash, seats)),
                Cell::from(Span::styled(line.standing.words(), style)),
            ];
            if wide {
                cells.push(Cell::from(
                    line.unit_price.as_ref().map_or_else(dash, money),
                ));
                cells.push(Cell::from(line.unit_cost.as_ref().map_or_else(dash, money)));
            }
            Row::new(cells)
        })
        .collect();
    let mut widths = vec![
        Constraint::Length(product_width as u16),
        Constraint::Length(fixed[0]),
        Constraint::Length(fixed[1]),
        Constraint::Length(fixed[2]),
        Constraint::Min(fixed[3]),
    ];
    if wide {
        widths.extend([Constraint::Length(14), Constraint::Length(14)]);
    }
    let table_widget = Table::new(rows, widths)
        .header(Row::new(header).style(app.theme.muted()))
        .block(Block::default().borders(Borders::ALL));
    frame.render_widget(table_widget, table);
}

/// Gaps stand out, rows that agree are quiet; the words carry the meaning without colour.
fn standing_style(app: &App, standing: &Standing) -> Style {
    match standing {
        Standing::Gaps(_) => app.theme.unbilled(),
        Standing::Agrees => app.theme.good(),
        Standing::Unmapped | Standing::Withheld => app.theme.overbilled(),
        Standing::PsaOnly | Standing::Ignored => app.theme.muted(),
    }
}
