//! The scaffolded files, rendered from the templates under `templates/` for a [`Plan`].

use std::path::Path;

use base64::Engine as _;

use crate::plan::{AuthChoice, Plan};

/// The secret the generated tests' tenant expects.
const SECRET: &str = "scaffold-secret-3f9a1c";
/// The user name of the Basic credential in the generated tests.
const USERNAME: &str = "connector";
/// The client of the OAuth client-credentials flow in the generated tests.
const CLIENT_ID: &str = "client-1";
const CLIENT_SECRET: &str = "client-secret-8d2e";

/// One file to write: its path in the crate and its text.
pub(crate) struct File {
    pub(crate) path: &'static str,
    pub(crate) text: String,
}

/// Every file of the crate, for an SDK checked out at `sdk`.
pub(crate) fn files(plan: &Plan, sdk: &Path) -> Vec<File> {
    let sdk_path = sdk.join("connector-sdk");
    vec![
        File {
            path: "Cargo.toml",
            text: fill(plan, include_str!("../templates/Cargo.toml.tmpl"))
                .replace("{{sdk}}", &toml_path(&sdk_path)),
        },
        File {
            path: "src/lib.rs",
            text: lib(plan),
        },
        File {
            path: "src/main.rs",
            text: fill(plan, include_str!("../templates/main.rs.tmpl")),
        },
        File {
            path: "tests/tenant.rs",
            text: tests(plan),
        },
        File {
            path: "README.md",
            text: fill(plan, include_str!("../templates/README.md.tmpl"))
                .replace("{{auth_label}}", &auth_label(plan))
                .replace("{{envelope_example}}", &envelope_example(plan)),
        },
        File {
            path: ".gitignore",
            text: "/target\n".to_owned(),
        },
    ]
}

/// A path as a TOML string.
fn toml_path(path: &Path) -> String {
    let text = path.display().to_string();
    if text.contains(['\'', '\n']) {
        format!("{text:?}")
    } else {
        format!("'{text}'")
    }
}

/// The names every template uses.
fn fill(plan: &Plan, template: &str) -> String {
    template
        .replace("{{crate}}", &plan.crate_name)
        .replace("{{lib}}", &plan.lib_name)
        .replace("{{app_id}}", &plan.lib_name)
        .replace("{{Type}}", &plan.type_name)
        .replace("{{title}}", &plan.title)
}

fn auth_label(plan: &Plan) -> String {
    let credential = plan.auth.credential_type();
    if plan.multi_credential {
        format!(
            "credential `{}` of type `{credential}` in a list of credentials",
            plan.auth.credential_id()
        )
    } else {
        format!("authentication `{credential}`")
    }
}

/// The `oauth(...)` declaration of an OAuth connector, each line indented by `indent`
/// and ending with a newline; empty without OAuth.
fn oauth_declaration(auth: AuthChoice, indent: &str) -> String {
    let (grant, option) = match auth {
        AuthChoice::Token | AuthChoice::Basic => return String::new(),
        AuthChoice::Oauth => ("authorization_url = authorization_url,", "pkce = true,"),
        AuthChoice::OauthClientCredentials => {
            ("flow = client_credentials,", "client_auth = basic,")
        }
    };
    include_str!("../templates/oauth_declaration.tmpl")
        .replace("{{oauth_grant}}", grant)
        .replace("{{oauth_option}}", option)
        .lines()
        .map(|line| format!("{indent}{line}\n"))
        .collect()
}

/// The connector's source.
fn lib(plan: &Plan) -> String {
    let credential = plan.auth.credential_type();
    let oauth = oauth_declaration(plan.auth, "        ");
    let auth_attr = match (plan.multi_credential, oauth.is_empty()) {
        (true, true) => format!(
            "    credentials = [{credential}(id = \"{}\", description = \"The app's credentials.\")],\n",
            plan.auth.credential_id()
        ),
        (true, false) => format!(
            "    credentials = [{credential}(\n        id = \"{}\",\n        description = \"The app's credentials.\",\n{oauth}    )],\n",
            plan.auth.credential_id()
        ),
        (false, _) => format!(
            "    auth = {credential},\n{}",
            oauth_declaration(plan.auth, "    ")
        ),
    };
    let api_body = if plan.multi_credential {
        format!(
            "        let credential = cx.credentials().get::<{credential}>(\"{}\")?;\n        self.http.client_with_auth(cx, credential.http_auth())",
            plan.auth.credential_id()
        )
    } else {
        "        self.http.client(cx)".to_owned()
    };
    let mut imports = vec!["HttpClient", "HttpConfig", "HttpSettings"];
    if plan.multi_credential {
        imports.push("HttpAuth");
    }
    imports.extend(["OffsetCursor", "path_segment"]);
    let (oauth_doc, oauth_endpoints) = match plan.auth {
        AuthChoice::Token | AuthChoice::Basic => (String::new(), String::new()),
        AuthChoice::Oauth => (
            "//! | get_authorization_url, handle_authorization_callback, refresh_access_token | the SDK's, from `oauth(...)`: `/oauth/authorize` with PKCE, `POST /oauth/token` |\n".to_owned(),
            include_str!("../templates/oauth_code.rs.tmpl").to_owned(),
        ),
        AuthChoice::OauthClientCredentials => (
            "//! | handle_client_credentials_request, refresh_access_token | the SDK's, from `oauth(...)`: `POST /oauth/token`, the client as HTTP Basic |\n".to_owned(),
            include_str!("../templates/oauth_client_credentials.rs.tmpl").to_owned(),
        ),
    };
    fill(plan, include_str!("../templates/lib.rs.tmpl"))
        .replace("{{auth_attr}}", &auth_attr)
        .replace("{{api_body}}", &api_body)
        .replace("{{http_imports}}", &format!("{{{}}}", imports.join(", ")))
        .replace("{{oauth_doc}}", &oauth_doc)
        .replace("{{oauth_endpoints}}", &oauth_endpoints)
}

/// The credential's fields in an envelope, the secret as the Rust constant `SECRET`
/// (`secret` is how the secret is written).
fn credential_fields(auth: AuthChoice, secret: &str) -> String {
    match auth {
        AuthChoice::Token => format!("{{\"token\": {secret}}}"),
        AuthChoice::Basic => format!("{{\"username\": \"{USERNAME}\", \"password\": {secret}}}"),
        AuthChoice::Oauth => format!("{{\"access_token\": {secret}}}"),
        AuthChoice::OauthClientCredentials => format!(
            "{{\"access_token\": {secret}, \"client_id\": \"{CLIENT_ID}\", \"client_secret\": \"{CLIENT_SECRET}\", \"scopes\": [\"read\"]}}"
        ),
    }
}

/// The envelope's credentials part.
fn auth_envelope(plan: &Plan, secret: &str) -> String {
    let fields = credential_fields(plan.auth, secret);
    let key = plan.auth.wire_key();
    if plan.multi_credential {
        format!(
            "\"credentials\": [{{\"id\": \"{}\", \"{key}\": {fields}}}]",
            plan.auth.credential_id()
        )
    } else {
        format!("\"auth\": {{\"{key}\": {fields}}}")
    }
}

/// The README's example envelope.
fn envelope_example(plan: &Plan) -> String {
    format!(
        "{{\n  {},\n  \"settings\": {{\"base_url\": \"https://api.example.com/v1\"}}\n}}",
        auth_envelope(plan, "\"…\"")
    )
}

/// The generated tests.
fn tests(plan: &Plan) -> String {
    let authorization = match plan.auth {
        AuthChoice::Basic => {
            let encoded =
                base64::engine::general_purpose::STANDARD.encode(format!("{USERNAME}:{SECRET}"));
            format!("String::from(\"Basic {encoded}\")")
        }
        _ => "format!(\"Bearer {SECRET}\")".to_owned(),
    };
    let client_basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    let (mocks, oauth_tests) = match plan.auth {
        AuthChoice::Token | AuthChoice::Basic => (String::new(), String::new()),
        AuthChoice::Oauth => (
            include_str!("../templates/oauth_code_mock.rs.tmpl").to_owned(),
            include_str!("../templates/oauth_code_test.rs.tmpl").to_owned(),
        ),
        AuthChoice::OauthClientCredentials => (
            include_str!("../templates/oauth_client_credentials_mock.rs.tmpl")
                .replace("{{client_basic}}", &client_basic),
            include_str!("../templates/oauth_client_credentials_test.rs.tmpl")
                .replace("{{client_id}}", CLIENT_ID)
                .replace("{{client_secret}}", CLIENT_SECRET),
        ),
    };
    let text = include_str!("../templates/tenant.rs.tmpl")
        .replace("{{oauth_mocks}}", &mocks)
        .replace("{{oauth_tests}}", &oauth_tests)
        .replace("{{secret}}", SECRET)
        .replace("{{authorization}}", &authorization)
        .replace("{{auth_envelope}}", &auth_envelope(plan, "SECRET"))
        .replace(
            "{{wrong_auth_envelope}}",
            &auth_envelope(plan, "WRONG_SECRET"),
        );
    fill(plan, &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(auth: AuthChoice, multi: bool) -> Vec<File> {
        let plan = Plan::new("acme-hr", auth, multi).unwrap();
        files(&plan, Path::new("/sdk"))
    }

    #[test]
    fn no_placeholder_is_left_in_any_file() {
        for auth in AuthChoice::ALL {
            for multi in [false, true] {
                for file in rendered(auth, multi) {
                    assert!(
                        !file.text.contains("{{"),
                        "{auth:?} {multi} {}: {}",
                        file.path,
                        file.text
                    );
                }
            }
        }
    }

    #[test]
    fn the_crate_depends_on_this_checkout_and_has_its_own_workspace() {
        let files = rendered(AuthChoice::Token, false);
        let manifest = &files
            .iter()
            .find(|file| file.path == "Cargo.toml")
            .unwrap()
            .text;
        assert!(
            manifest.contains("connector-sdk = { path = '/sdk/connector-sdk' }"),
            "{manifest}"
        );
        assert!(manifest.contains("\n[workspace]\n"), "{manifest}");
    }

    #[test]
    fn oauth_scaffolds_declare_their_flow_for_the_sdk_to_run() {
        for (auth, multi, flow) in [
            (
                AuthChoice::Oauth,
                false,
                "authorization_url = authorization_url,",
            ),
            (
                AuthChoice::Oauth,
                true,
                "authorization_url = authorization_url,",
            ),
            (
                AuthChoice::OauthClientCredentials,
                false,
                "flow = client_credentials,",
            ),
        ] {
            let files = rendered(auth, multi);
            let lib = &files
                .iter()
                .find(|file| file.path == "src/lib.rs")
                .unwrap()
                .text;
            assert!(
                lib.contains("oauth(") && lib.contains(flow),
                "{auth:?}: {lib}"
            );
            assert!(!lib.contains("async fn refresh_access_token"), "{lib}");
            assert!(
                !lib.contains("async fn handle_client_credentials_request"),
                "{lib}"
            );
        }
    }

    #[test]
    fn multi_credential_declares_a_named_credential() {
        let files = rendered(AuthChoice::Basic, true);
        let lib = &files
            .iter()
            .find(|file| file.path == "src/lib.rs")
            .unwrap()
            .text;
        assert!(
            lib.contains("credentials = [BasicCredential(id = \"login\""),
            "{lib}"
        );
        let tests = &files
            .iter()
            .find(|file| file.path == "tests/tenant.rs")
            .unwrap()
            .text;
        assert!(
            tests.contains("\"credentials\": [{\"id\": \"login\", \"basic\""),
            "{tests}"
        );
    }
}
