//! Which Subtensor endpoint to talk to: a named network or a URL.

use std::fmt;
use std::str::FromStr;

use super::error::ChainError;

/// Environment variable naming the network when `--network` is not given.
pub const NETWORK_ENV: &str = "TAOTUI_NETWORK";

const FINNEY_URL: &str = "wss://entrypoint-finney.opentensor.ai:443";
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
}

impl Network {
    /// The endpoint URL as given or as known for the named network.
    pub fn url(&self) -> &str {
        match self {
            Network::Finney => FINNEY_URL,
            Network::Test => TEST_URL,
            Network::Local => LOCAL_URL,
            Network::Custom(url) => url,
        }
    }

    /// Short name for display: "finney", "test", "local", or the URL itself.
    pub fn name(&self) -> &str {
        match self {
            Network::Finney => "finney",
            Network::Test => "test",
            Network::Local => "local",
            Network::Custom(url) => url,
        }
    }

    /// The WebSocket URL to connect to. Substrate nodes serve JSON-RPC over HTTP and WebSocket on the same port,
    /// and taotui needs subscriptions, so an http(s) URL is used as the matching ws(s) URL.
    pub fn ws_url(&self) -> String {
        let url = self.url();
        if let Some(rest) = url.strip_prefix("http://") {
            format!("ws://{rest}")
        } else if let Some(rest) = url.strip_prefix("https://") {
            format!("wss://{rest}")
        } else {
            url.to_owned()
        }
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

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Network {
    type Err = ChainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
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
