//! The terminal guard: raw mode, alternate screen, bracketed paste and mouse reporting on
//! entry; all undone on drop and, first thing, on a panic.

use std::io::{self, Stdout, Write};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{
    Clear, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};

pub type Term = Terminal<AppBackend<Stdout>>;

/// The crossterm backend, except that it never asks the terminal where the cursor is.
///
/// Ratatui asks (ESC [6n, then waits for the answer, up to 2 s) whenever it clears the screen,
/// which it does on every resize, only to put the cursor back afterwards. In the full-screen
/// alternate screen, with the cursor hidden, the last position set is as good an answer, and
/// a slow link (ssh) or a terminal that never answers no longer stalls the frame.
pub struct AppBackend<W: Write> {
    inner: CrosstermBackend<W>,
    cursor: Position,
}

impl<W: Write> AppBackend<W> {
    pub fn new(writer: W) -> Self {
        AppBackend {
            inner: CrosstermBackend::new(writer),
            cursor: Position::ORIGIN,
        }
    }
}

impl<W: Write> Write for AppBackend<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Write::flush(&mut self.inner)
    }
}

impl<W: Write> Backend for AppBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.inner.draw(content)
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        Ok(self.cursor)
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let position = position.into();
        self.cursor = position;
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> io::Result<Size> {
        self.inner.size()
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> io::Result<()> {
        Backend::flush(&mut self.inner)
    }
}

/// Owns the terminal while the app runs; dropping it restores the terminal.
pub struct TerminalGuard {
    pub terminal: Term,
}

impl TerminalGuard {
    pub fn enter() -> io::Result<TerminalGuard> {
        install_panic_hook();
        enable_raw_mode()?;
        let mut stdout = io::stdout();
        // The screen is cleared here rather than with `Terminal::clear`, which first asks the
        // terminal for the cursor position (ESC [6n) and waits for the answer: a round trip
        // before the first frame, and a 2 s stall on terminals that never answer.
        if let Err(e) = execute!(
            stdout,
            EnterAlternateScreen,
            Clear(crossterm::terminal::ClearType::All),
            EnableBracketedPaste,
            EnableMouseCapture
        ) {
            restore();
            return Err(e);
        }
        match Terminal::new(AppBackend::new(stdout)) {
            Ok(mut terminal) => {
                // A new terminal's buffers are blank, like the screen just cleared, so the first
                // draw writes every cell that is not blank.
                let _ = terminal.hide_cursor();
                Ok(TerminalGuard { terminal })
            }
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }

    /// Puts `text` on the clipboard through the terminal (OSC 52); terminals without support
    /// ignore the sequence.
    pub fn copy_to_clipboard(&mut self, text: &str) -> io::Result<()> {
        use base64::Engine;
        let encoded = base64::engine::general_purpose::STANDARD.encode(text);
        let backend = self.terminal.backend_mut();
        write!(backend, "\x1b]52;c;{encoded}\x07")?;
        Write::flush(backend)
    }

    /// Empties the clipboard (OSC 52 with no data: xterm, kitty, foot, WezTerm and iTerm2 clear
    /// it; terminals that do not take OSC 52 ignore it).
    pub fn clear_clipboard(&mut self) -> io::Result<()> {
        let backend = self.terminal.backend_mut();
        write!(backend, "\x1b]52;c;\x07")?;
        Write::flush(backend)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Leaves raw mode and the alternate screen; safe to call more than once.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
}

/// Restores the terminal before the panic message is printed, so it is readable.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use ratatui::TerminalOptions;
    use ratatui::Viewport;
    use ratatui::layout::Rect;

    use super::*;

    /// Clearing (as ratatui does on resize) must not query the terminal: the plain crossterm
    /// backend fails here (no terminal to answer the query) or, on a real terminal that never
    /// answers, waits 2 s.
    #[test]
    fn clearing_never_asks_the_terminal_for_the_cursor() {
        let backend = AppBackend::new(Vec::<u8>::new());
        let mut terminal = Terminal::with_options(
            backend,
            TerminalOptions {
                viewport: Viewport::Fixed(Rect::new(0, 0, 20, 5)),
            },
        )
        .unwrap();
        terminal.set_cursor_position((7, 3)).unwrap();
        terminal.clear().unwrap();
        assert_eq!(terminal.get_cursor_position().unwrap(), Position::new(7, 3));
    }
}
