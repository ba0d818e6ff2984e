//! The validator picker of the move form: the subnet's validators, filtered by name or address
//! as the user types, one of them selected. A pasted address that is not listed is used as is.

use crate::chain::queries::ValidatorView;

use super::chain::{Remote, matching};
use super::input::TextInput;

#[derive(Debug, Clone, Default)]
pub struct ValidatorPicker {
    pub netuid: u16,
    /// The hotkey the stake is with now: not a destination.
    pub exclude: String,
    pub list: Remote<Vec<ValidatorView>>,
    pub filter: TextInput,
    pub selected: usize,
    /// Indices into the list after the filter, largest stake first.
    pub order: Vec<usize>,
}

impl ValidatorPicker {
    pub fn new(netuid: u16, exclude: String) -> ValidatorPicker {
        ValidatorPicker {
            netuid,
            exclude,
            ..ValidatorPicker::default()
        }
    }

    /// Recomputes the visible rows after the list or the filter changed.
    pub fn reorder(&mut self) {
        let Some(all) = &self.list.data else {
            self.order.clear();
            return;
        };
        let mut order = matching(all, &self.filter, Some(&self.exclude));
        order.sort_by_key(|i| std::cmp::Reverse(all.get(*i).map(|v| v.total_stake)));
        self.order = order;
        self.selected = self.selected.min(self.order.len().saturating_sub(1));
    }

    pub fn visible(&self) -> Vec<&ValidatorView> {
        let Some(all) = &self.list.data else {
            return Vec::new();
        };
        self.order.iter().filter_map(|&i| all.get(i)).collect()
    }

    pub fn step(&mut self, delta: isize) {
        let len = self.order.len();
        if len > 0 {
            self.selected = self.selected.saturating_add_signed(delta).min(len - 1);
        }
    }

    /// The selected validator, or a typed address that is not in the list.
    pub fn chosen_validator(&self) -> Option<&ValidatorView> {
        let i = *self.order.get(self.selected)?;
        self.list.data.as_ref()?.get(i)
    }

    /// The destination hotkey's SS58.
    pub fn chosen(&self) -> Option<String> {
        if let Some(v) = self.chosen_validator() {
            return Some(v.hotkey.ss58());
        }
        let typed = self.filter.trimmed();
        taotui_keystore::ss58::is_valid(typed).then(|| typed.to_owned())
    }
}
