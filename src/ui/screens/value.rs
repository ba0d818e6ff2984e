//! The Portfolio's value view: total value over the chosen range as a line chart, each position's
//! value as a sparkline with its change, and the "since you last looked" line of the summary.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, Paragraph, Sparkline};

use super::wallets::panel;
use crate::amount::Rao;
use crate::config::keymap::{Command, Context};
use crate::config::theme::Theme;
use crate::model::Model;
use crate::model::value::{PositionSeries, chart_now};
use crate::ui::widgets::fmt;

/// A change of value: sign, then the amount rounded toward zero to 4 decimals (masked when hidden).
pub fn signed_tao(change: i128) -> String {
    let sign = match change.signum() {
        1 => "+",
        -1 => "-",
        _ => "±",
    };
    let magnitude = u64::try_from(change.unsigned_abs()).unwrap_or(u64::MAX);
    format!("{sign}{}", fmt::tao(Rao(magnitude)))
}

fn change_style(change: i128, theme: &Theme) -> Style {
    match change.signum() {
        1 => theme.positive(),
        -1 => theme.negative(),
        _ => theme.base(),
    }
}

/// "3 h ago" for an age in seconds.
pub fn ago(secs: u64) -> String {
    match secs {
        0..60 => "just now".to_owned(),
        60..3_600 => format!("{} min ago", secs / 60),
        3_600..172_800 => format!("{} h ago", secs / 3_600),
        _ => format!("{} d ago", secs / 86_400),
    }
}

/// `YYYY-MM-DD HH:MM` UTC.
fn utc(secs: u64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(i64::try_from(secs).unwrap_or(0))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.format(time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute]"
    ))
    .unwrap_or_default()
}

/// The summary's line for `coldkey`, once its first read this session was compared with the journal.
pub fn since_line(model: &Model, coldkey: &str, theme: &Theme) -> Option<Line<'static>> {
    let since = model.value.since_last.get(coldkey)?;
    let age = model.now.saturating_sub(since.then);
    Some(Line::from(vec![
        Span::styled("Since you last looked  ", theme.muted()),
        Span::styled(signed_tao(since.change), change_style(since.change, theme)),
        Span::styled(
            format!("  ({}; rounded toward zero)", ago(age)),
            theme.muted(),
        ),
    ]))
}

pub fn draw_hints(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let k = |c| model.keymap.key_for(Context::Portfolio, c);
    frame.render_widget(
        Paragraph::new(Line::styled(
            format!(
                " {}/{} range ({}) · {} positions · {} send",
                k(Command::PrevRange),
                k(Command::NextRange),
                model.value.range.label(),
                k(Command::ValueChart),
                k(Command::Transfer),
            ),
            theme.muted(),
        )),
        area,
    );
}

pub fn draw_value(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let v = &model.value;
    let range = v.range.label();
    let title = format!("Value over {range}");
    if let Some(err) = &v.error {
        let line = Line::styled(
            format!("! Could not read the value journal: {err}"),
            theme.warning(),
        );
        frame.render_widget(Paragraph::new(line).block(panel(&title, theme)), area);
        return;
    }
    if v.pending.is_some() && v.times.is_empty() {
        let line = Line::styled(
            format!("{} Reading the value journal…", crate::ui::spinner(model)),
            theme.accent(),
        );
        frame.render_widget(Paragraph::new(line).block(panel(&title, theme)), area);
        return;
    }
    let now = chart_now(model);
    let window = v.window(now);
    if window.len() < 2 {
        let mut lines = vec![
            Line::styled(
                format!(
                    "Not enough snapshots in the last {range} to draw ({} so far).",
                    window.len()
                ),
                theme.title(),
            ),
            Line::from(
                "A snapshot is recorded at every portfolio read (also `taotui stake list`).",
            ),
        ];
        if let Some(b) = v.backfill {
            let progress = if b.total == 0 {
                String::new()
            } else {
                format!(": {} of {} blocks", b.done, b.total)
            };
            lines.push(Line::styled(
                format!(
                    "{} Reading past chain state{progress}…",
                    crate::ui::spinner(model)
                ),
                theme.accent(),
            ));
        }
        frame.render_widget(Paragraph::new(lines).block(panel(&title, theme)), area);
        return;
    }
    let list_height = u16::try_from(v.positions.len() + 2)
        .unwrap_or(u16::MAX)
        .min(area.height / 2);
    let list_height = if list_height < 3 { 0 } else { list_height };
    let [info, chart, list] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(list_height),
    ])
    .areas(area);

    let (first, last) = (window.start, window.end - 1);
    let total_now = v.totals.get(last).copied().unwrap_or(0);
    let change = i128::from(total_now) - i128::from(v.totals.get(first).copied().unwrap_or(0));
    let mut spans = vec![
        Span::styled(" Total ", theme.muted()),
        Span::styled(fmt::tao(Rao(total_now)), theme.title()),
        Span::styled(format!("   over {range} "), theme.muted()),
        Span::styled(signed_tao(change), change_style(change, theme)),
    ];
    if let Some(pct) = percent_change(v.totals.get(first).copied().unwrap_or(0), change) {
        spans.push(Span::styled(format!(" ({pct})"), theme.muted()));
    }
    spans.push(Span::styled(
        format!("   {} snapshots", window.len()),
        theme.muted(),
    ));
    if let Some(b) = v.backfill {
        spans.push(Span::styled(
            format!(
                "   {} filling {}/{}",
                crate::ui::spinner(model),
                b.done,
                b.total
            ),
            theme.accent(),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), info);
    draw_total_chart(frame, chart, model, window.clone(), &title, theme);
    if list.height > 0 {
        draw_position_lines(frame, list, model, window, theme);
    }
}

/// "+1.23 %" of `change` over `base`; `None` without a base.
fn percent_change(base: u64, change: i128) -> Option<String> {
    if base == 0 {
        return None;
    }
    let pct = change as f64 / base as f64 * 100.0;
    Some(format!("{}{:.2}%", if pct >= 0.0 { "+" } else { "" }, pct))
}

fn draw_total_chart(
    frame: &mut Frame,
    area: Rect,
    model: &Model,
    window: std::ops::Range<usize>,
    title: &str,
    theme: &Theme,
) {
    let v = &model.value;
    let t0 = v.times.get(window.start).copied().unwrap_or(0);
    let t1 = v.times.get(window.end - 1).copied().unwrap_or(t0);
    let totals = &v.totals[window.clone()];
    let (lo, hi) = totals
        .iter()
        .fold((u64::MAX, 0u64), |(lo, hi), t| (lo.min(*t), hi.max(*t)));
    // Plotting only: f64 TAO for the canvas, never for the figures printed beside it.
    let points: Vec<(f64, f64)> = v.times[window]
        .iter()
        .zip(totals)
        .map(|(t, total)| ((t - t0) as f64, *total as f64 / 1e9))
        .collect();
    let pad = ((hi - lo) as f64 / 1e9 * 0.05).max(1e-9);
    let (y0, y1) = (lo as f64 / 1e9 - pad, hi as f64 / 1e9 + pad);
    let dataset = Dataset::default()
        .marker(Marker::Braille)
        .graph_type(GraphType::Line)
        .style(theme.accent())
        .data(&points);
    let chart = Chart::new(vec![dataset])
        .block(panel(title, theme))
        .x_axis(
            Axis::default()
                .style(theme.muted())
                .bounds([0.0, (t1 - t0).max(1) as f64])
                .labels([
                    Span::styled(utc(t0), theme.muted()),
                    Span::styled(format!("{} UTC", utc(t1)), theme.muted()),
                ]),
        )
        .y_axis(
            Axis::default()
                .style(theme.muted())
                .bounds([y0, y1])
                .labels([
                    Span::styled(fmt::tao(Rao(lo)), theme.muted()),
                    Span::styled(fmt::tao(Rao(hi)), theme.muted()),
                ]),
        );
    frame.render_widget(chart, area);
}

/// One line per position: name, sparkline of its value, value now, change over the range.
fn draw_position_lines(
    frame: &mut Frame,
    area: Rect,
    model: &Model,
    window: std::ops::Range<usize>,
    theme: &Theme,
) {
    let v = &model.value;
    let block = panel(&format!("Positions ({})", v.positions.len()), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let shown = usize::from(inner.height);
    for (row, series) in v.positions.iter().take(shown).enumerate() {
        let y = inner.y + u16::try_from(row).unwrap_or(0);
        let line_area = Rect::new(inner.x, y, inner.width, 1);
        let [label, spark, value, change] = Layout::horizontal([
            Constraint::Length(24),
            Constraint::Fill(1),
            Constraint::Length(16),
            Constraint::Length(16),
        ])
        .areas(line_area);
        let name: String = position_label(model, series).chars().take(23).collect();
        frame.render_widget(Paragraph::new(Span::styled(name, theme.base())), label);
        let values = &series.values[window.clone()];
        let data = resample(values, usize::from(spark.width));
        frame.render_widget(
            Sparkline::default().data(&data).style(theme.accent()),
            spark,
        );
        let now = values.last().copied().unwrap_or(0);
        let delta = i128::from(now) - i128::from(values.first().copied().unwrap_or(0));
        frame.render_widget(
            Paragraph::new(Span::styled(fmt::tao(Rao(now)), theme.base()))
                .alignment(ratatui::layout::Alignment::Right),
            value,
        );
        frame.render_widget(
            Paragraph::new(Span::styled(signed_tao(delta), change_style(delta, theme)))
                .alignment(ratatui::layout::Alignment::Right),
            change,
        );
    }
}

/// The position's validator name and subnet, from the portfolio when it lists it.
fn position_label(model: &Model, series: &PositionSeries) -> String {
    let name = model
        .portfolio
        .listing
        .data
        .as_ref()
        .and_then(|(_, ps)| {
            ps.iter()
                .find(|p| p.netuid == series.netuid && p.hotkey.ss58() == series.hotkey)
                .and_then(|p| p.hotkey_name.clone())
        })
        .unwrap_or_else(|| fmt::short(&series.hotkey));
    format!("SN{} {name}", series.netuid)
}

/// `values` squeezed (or stretched) to `width` bars, each the last value of its slice, minus the
/// smallest so the bars show movement rather than size.
pub fn resample(values: &[u64], width: usize) -> Vec<u64> {
    if values.is_empty() || width == 0 {
        return Vec::new();
    }
    let picked: Vec<u64> = (0..width)
        .map(|i| {
            let at = ((i + 1) * values.len()).div_ceil(width).saturating_sub(1);
            values[at.min(values.len() - 1)]
        })
        .collect();
    let lo = picked.iter().copied().min().unwrap_or(0);
    picked.into_iter().map(|v| v - lo).collect()
}

/// Signed alpha with its symbol, 4 decimals toward zero (masked when hidden).
fn signed_alpha(change: i128, symbol: &str) -> String {
    let sign = if change < 0 { "-" } else { "+" };
    let magnitude = u64::try_from(change.unsigned_abs()).unwrap_or(u64::MAX);
    format!(
        "{sign}{}",
        fmt::alpha(crate::amount::AlphaRao(magnitude), symbol)
    )
}

/// Enter on a position: earned over 24 h, 7 d and 30 d, rewards apart from the price effect.
pub fn draw_detail(
    frame: &mut Frame,
    area: Rect,
    key: &crate::model::value::PositionKey,
    model: &Model,
    theme: &Theme,
) {
    use crate::model::value::EARNINGS_RANGES;
    use crate::ui::widgets::dialog::{centered, frame_dialog};
    let rect = centered(area, 76, 19);
    let inner = frame_dialog(frame, rect, &format!("{} · earned", key.label), theme);
    let symbol = model
        .portfolio
        .listing
        .data
        .as_ref()
        .and_then(|(_, ps)| ps.iter().find(|p| p.netuid == key.netuid))
        .map_or("α".to_owned(), |p| p.symbol.clone());
    let coldkey = model.selected_coldkey().unwrap_or_default();
    let mut lines = vec![Line::styled(
        "Rewards: alpha earned (stake at both ends minus your own adds, removes and moves), at the end price.",
        theme.muted(),
    )];
    lines.push(Line::styled(
        "Price effect: the rest of the value change (price moves, fees and slippage of your trades).",
        theme.muted(),
    ));
    lines.push(Line::default());
    for range in EARNINGS_RANGES {
        let slot = model.value.earnings.get(&(coldkey.clone(), range));
        lines.push(Line::styled(range.label().to_owned(), theme.accent()));
        let line = match slot {
            Some(s) if s.report.is_some() => match s.position(&key.hotkey, key.netuid) {
                Some(p) => {
                    lines.push(Line::from(vec![
                        Span::styled("  rewards      ", theme.muted()),
                        Span::styled(signed_alpha(p.earned_alpha, &symbol), theme.base()),
                        Span::styled(" = ", theme.muted()),
                        Span::styled(signed_tao(p.reward_tao), change_style(p.reward_tao, theme)),
                    ]));
                    Line::from(vec![
                        Span::styled("  price effect ", theme.muted()),
                        Span::styled(
                            signed_tao(p.price_effect_tao),
                            change_style(p.price_effect_tao, theme),
                        ),
                        Span::styled("   value ", theme.muted()),
                        Span::styled(fmt::tao(Rao(p.value_start)), theme.base()),
                        Span::styled(" → ", theme.muted()),
                        Span::styled(fmt::tao(Rao(p.value_end)), theme.base()),
                    ])
                }
                None => Line::styled("  not held over this range", theme.muted()),
            },
            Some(s) if s.pending.is_some() => Line::styled(
                format!("  {} reading past chain state…", crate::ui::spinner(model)),
                theme.accent(),
            ),
            Some(crate::model::value::EarningsSlot { error: Some(e), .. }) => {
                Line::styled(format!("  ! {e}"), theme.warning())
            }
            _ => Line::styled("  not read (offline)", theme.muted()),
        };
        lines.push(line);
    }
    lines.push(Line::default());
    lines.push(Line::styled(
        "Exact integers from the chain; shown to 4 decimals, rounded toward zero. Enter or Esc closes this.",
        theme.muted(),
    ));
    frame.render_widget(
        Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: true }),
        inner,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resampling_keeps_the_last_value_and_the_width() {
        assert_eq!(resample(&[5, 6, 7, 8], 2), vec![0, 2]);
        assert_eq!(resample(&[5, 9], 4), vec![0, 0, 4, 4]);
        assert_eq!(resample(&[], 4), Vec::<u64>::new());
        let long: Vec<u64> = (0..365).collect();
        let r = resample(&long, 50);
        assert_eq!(r.len(), 50);
        assert_eq!((r[0], r[49]), (0, 364 - 7));
    }

    #[test]
    fn changes_are_signed_and_rounded_toward_zero() {
        assert_eq!(signed_tao(1_234_567_890), "+1.2345 τ");
        assert_eq!(signed_tao(-1_234_567_890), "-1.2345 τ");
        assert_eq!(signed_tao(0), "±0.0000 τ");
        assert_eq!(ago(59), "just now");
        assert_eq!(ago(7_200), "2 h ago");
        assert_eq!(ago(3 * 86_400), "3 d ago");
    }
}
