//! Which Subtensor endpoints to talk to: a named network, a URL, or a comma-separated list of them (tried in order;
//! the client moves to the next one when an endpoint fails or does not answer).

use std::fmt;
use std::str::FromStr;

use super::error::ChainError;

/// Environment variable naming the network when `--network` is not given.
pub const NETWORK_ENV: &str = "TAOTUI_NETWORK";

const FINNEY_URL: &str = "wss://entrypoint-finney.opentensor.ai:443";
/// Public finney entry points run by the Opentensor Foundation, in the order they are tried. The archive node is
/// last: it answers the same calls but is slower for current state.
const FINNEY_ENDPOINTS: [&str; 3] = [
    FINNEY_URL,
    "wss://lite.chain.opentensor.ai:443",
    "wss://archive.chain.opentensor.ai:443",
];
const TEST_URL: &str = "wss://test.finney.opentensor.ai:443";
const LOCAL_URL: &str = "ws://127.0.0.1:9944";

/// A Subtensor network: one of the well-known ones or any endpoint URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Network {
    /// Bittensor main network (the default).
    #[default]
    Finney,
    /// Bittensor public test network.
    Test,
    /// A node on this machine at the default port.
    Local,
    /// Any ws://, wss://, http:// or https:// URL (validated when parsed).
    Custom(String),
    /// Several endpoints given as one comma-separated value: `label` is that value (normalised), `endpoints` the
    /// URLs in the order they are tried (named networks expanded, duplicates dropped).
    List {
        label: String,
        endpoints: Vec<String>,
    },
}

impl Network {
    /// The first endpoint URL: as given, or the first known one of the named network.
    pub fn url(&self) -> &str {
        match self {
            Network::Finney => FINNEY_URL,
            Network::Test => TEST_URL,
            Network::Local => LOCAL_URL,
            Network::Custom(url) => url,
            Network::List { endpoints, .. } => endpoints.first().map_or(FINNEY_URL, String::as_str),
        }
    }

    /// Every endpoint URL, in the order they are tried.
    pub fn urls(&self) -> Vec<&str> {
        match self {
            Network::Finney => FINNEY_ENDPOINTS.to_vec(),
            Network::List { endpoints, .. } => endpoints.iter().map(String::as_str).collect(),
            single => vec![single.url()],
        }
    }

    /// Short name for display: "finney", "test", "local", the URL itself, or the list as given.
    pub fn name(&self) -> &str {
        match self {
            Network::Finney => "finney",
            Network::Test => "test",
            Network::Local => "local",
            Network::Custom(url) => url,
            Network::List { label, .. } => label,
        }
    }

    /// The WebSocket URL of the first endpoint. Substrate nodes serve JSON-RPC over HTTP and WebSocket on the
    /// same port, and taotui needs subscriptions, so an http(s) URL is used as the matching ws(s) URL.
    pub fn ws_url(&self) -> String {
        to_ws(self.url())
    }

    /// The WebSocket URLs of every endpoint, in the order they are tried.
    pub fn ws_urls(&self) -> Vec<String> {
        self.urls().into_iter().map(to_ws).collect()
    }

    /// Picks the network from, in order: the command line, `TAOTUI_NETWORK`, the config file, else finney.
    pub fn resolve(cli: Option<&str>, config: Option<&str>) -> Result<Network, ChainError> {
        let env = std::env::var(NETWORK_ENV).ok();
        Self::resolve_from(cli, env.as_deref(), config)
    }

    /// [`Network::resolve`] with the environment value passed in, so the precedence can be tested.
    pub fn resolve_from(
        cli: Option<&str>,
        env: Option<&str>,
        config: Option<&str>,
    ) -> Result<Network, ChainError> {
        [cli, env, config]
            .into_iter()
            .flatten()
            .map(str::trim)
            .find(|s| !s.is_empty())
            .map_or(Ok(Network::Finney), str::parse)
    }
}

fn to_ws(url: &str) -> String {
    if let Some(rest) = url.strip_prefix("http://") {
        format!("ws://{rest}")
    } else if let Some(rest) = url.strip_prefix("https://") {
        format!("wss://{rest}")
    } else {
        url.to_owned()
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Network {
    type Err = ChainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.contains(',') {
            return parse_list(s);
        }
        match s.to_ascii_lowercase().as_str() {
            "finney" | "main" | "mainnet" => return Ok(Network::Finney),
            "test" | "testnet" => return Ok(Network::Test),
            "local" | "localhost" => return Ok(Network::Local),
            _ => {}
        }
        validate_url(s)?;
        Ok(Network::Custom(s.to_owned()))
    }
}

fn parse_list(s: &str) -> Result<Network, ChainError> {
    let parts: Vec<Network> = s
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let mut endpoints: Vec<String> = Vec::new();
    for url in parts.iter().flat_map(Network::urls) {
        if !endpoints.iter().any(|e| e == url) {
            endpoints.push(url.to_owned());
        }
    }
    match parts.as_slice() {
        [] => Err(ChainError::InvalidNetwork(s.to_owned())),
        [one] => Ok(one.clone()),
        _ => Ok(Network::List {
            label: parts
                .iter()
                .map(Network::name)
                .collect::<Vec<_>>()
                .join(","),
            endpoints,
        }),
    }
}

fn validate_url(s: &str) -> Result<(), ChainError> {
    let invalid = || ChainError::InvalidNetwork(s.to_owned());
    let (scheme, rest) = s.split_once("://").ok_or_else(invalid)?;
    if !matches!(
        scheme.to_ascii_lowercase().as_str(),
        "ws" | "wss" | "http" | "https"
    ) {
        return Err(invalid());
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let (host, port) = if let Some(v6) = host_port.strip_prefix('[') {
        let (host, after) = v6.split_once(']').ok_or_else(invalid)?;
        (host, after.strip_prefix(':'))
    } else {
        match host_port.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        }
    };
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'));
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n != 0));
    if host_ok && port_ok && !s.chars().any(char::is_whitespace) {
        Ok(())
    } else {
        Err(invalid())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn named_networks_and_urls() {
        assert_eq!("finney".parse::<Network>().unwrap(), Network::Finney);
        assert_eq!("TEST".parse::<Network>().unwrap(), Network::Test);
        assert_eq!(
            "local".parse::<Network>().unwrap().url(),
            "ws://127.0.0.1:9944"
        );
        assert_eq!(Network::default().url(), FINNEY_URL);
        let custom: Network = "wss://node.example.org:443/rpc".parse().unwrap();
        assert_eq!(
            custom,
            Network::Custom("wss://node.example.org:443/rpc".into())
        );
        assert_eq!(custom.to_string(), "wss://node.example.org:443/rpc");
        let http: Network = "http://127.0.0.1:9944".parse().unwrap();
        assert_eq!(http.ws_url(), "ws://127.0.0.1:9944");
        assert_eq!(
            "https://a.b".parse::<Network>().unwrap().ws_url(),
            "wss://a.b"
        );
        assert!("ws://[::1]:9944".parse::<Network>().is_ok());
    }

    #[test]
    fn rejects_bad_urls_with_a_sentence() {
        for bad in [
            "finny",
            "ftp://x.org",
            "ws://",
            "ws://host:99999",
            "ws://host:0",
            "ws://ho st",
            "127.0.0.1:9944",
            "",
        ] {
            let err = bad.parse::<Network>().expect_err(bad);
            assert!(matches!(err, ChainError::InvalidNetwork(_)), "{bad}");
            assert!(err.to_string().contains("finney, test, local"), "{err}");
        }
    }

    #[test]
    fn precedence_is_cli_env_config_default() {
        let r = Network::resolve_from;
        assert_eq!(
            r(Some("test"), Some("local"), Some("finney")).unwrap(),
            Network::Test
        );
        assert_eq!(
            r(None, Some("local"), Some("test")).unwrap(),
            Network::Local
        );
        assert_eq!(r(None, None, Some("test")).unwrap(), Network::Test);
        assert_eq!(r(None, None, None).unwrap(), Network::Finney);
        assert_eq!(r(None, Some(""), Some("test")).unwrap(), Network::Test);
        assert!(r(Some("nope"), Some("local"), None).is_err());
    }

    #[test]
    fn finney_is_a_list_of_public_entry_points_default_first() {
        let urls = Network::Finney.urls();
        assert_eq!(urls[0], FINNEY_URL);
        assert!(urls.len() >= 2);
        assert!(urls.iter().all(|u| u.starts_with("wss://")));
        assert_eq!(Network::Local.urls(), vec![LOCAL_URL]);
    }

    #[test]
    fn comma_separated_lists_keep_order_expand_names_and_drop_duplicates() {
        let net: Network = " ws://127.0.0.1:1 , http://127.0.0.1:9944,local "
            .parse()
            .unwrap();
        assert_eq!(
            net.urls(),
            vec!["ws://127.0.0.1:1", "http://127.0.0.1:9944", LOCAL_URL]
        );
        assert_eq!(
            net.ws_urls(),
            vec!["ws://127.0.0.1:1", "ws://127.0.0.1:9944", LOCAL_URL]
        );
        assert_eq!(net.url(), "ws://127.0.0.1:1");
        assert_eq!(net.name(), "ws://127.0.0.1:1,http://127.0.0.1:9944,local");
        assert_eq!(net.to_string().parse::<Network>().unwrap(), net);

        let mixed: Network = "ws://10.0.0.1:9944,finney,finney".parse().unwrap();
        assert_eq!(mixed.urls()[0], "ws://10.0.0.1:9944");
        assert_eq!(mixed.urls()[1..], Network::Finney.urls()[..]);

        // One entry (trailing comma) is that entry, not a list.
        assert_eq!("test,".parse::<Network>().unwrap(), Network::Test);
        for bad in [",", "finney,finny", "ws://a:1,ftp://b"] {
            let err = bad.parse::<Network>().expect_err(bad);
            assert!(matches!(err, ChainError::InvalidNetwork(_)), "{bad}");
        }
        assert_eq!(
            Network::resolve_from(None, Some("local,test"), None)
                .unwrap()
                .urls(),
            vec![LOCAL_URL, TEST_URL]
        );
    }

    proptest! {
        #[test]
        fn any_host_and_port_round_trips(host in "[a-z][a-z0-9-]{0,20}(\\.[a-z]{2,5}){0,2}", port in 1u16.., tls: bool) {
            let url = format!("{}://{host}:{port}", if tls { "wss" } else { "ws" });
            let net: Network = url.parse().unwrap();
            prop_assert_eq!(net.url(), url.as_str());
            prop_assert_eq!(net.to_string().parse::<Network>().unwrap(), net);
        }

        #[test]
        fn parsing_never_panics(s in ".{0,60}") {
            let _ = s.parse::<Network>();
        }
    }
}
