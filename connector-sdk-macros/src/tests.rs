//! Expansion snapshots: small connectors run through the macro's pipeline, pretty-printed
//! and compared with `src/snapshots/` (each snapshot's header shows the input). Review a
//! change with `cargo insta review`, or accept it with
//! `INSTA_UPDATE=always cargo test -p connector-sdk-macros` and read the diff.
//!
//! Then unit tests of the parsing helpers, and of which errors (by message) an input gets.

use proc_macro2::TokenStream;
use quote::quote;

use crate::errors::Errors;
use crate::model::Attr;

/// Pretty-prints tokens that form whole items.
fn pretty(tokens: TokenStream) -> String {
    let file = syn::parse2::<syn::File>(tokens.clone())
        .unwrap_or_else(|err| panic!("not a Rust file ({err}):\n{tokens}"));
    prettyplease::unparse(&file)
}

/// Expands `#[connector(args)] item` and compares the input and its pretty-printed
/// expansion with the snapshot `name`.
fn snapshot(name: &str, args: TokenStream, item: TokenStream) {
    let input = pretty(quote!(#[connector(#args)] #item));
    let output = pretty(crate::expand::expand(args, item));
    let mut settings = insta::Settings::clone_current();
    settings.set_omit_expression(true);
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::assert_snapshot!(name, format!("{input}\n// expands to\n\n{output}"));
    });
}

/// The messages of the `compile_error!`s in the expansion of `#[connector(args)] item`.
fn errors(args: TokenStream, item: TokenStream) -> Vec<String> {
    let file = syn::parse2::<syn::File>(crate::expand::expand(args, item)).unwrap();
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Macro(mac)
                if mac.mac.path.segments.last().unwrap().ident == "compile_error" =>
            {
                Some(
                    syn::parse2::<syn::LitStr>(mac.mac.tokens.clone())
                        .unwrap()
                        .value(),
                )
            }
            _ => None,
        })
        .collect()
}

// Expansion snapshots.

#[test]
fn a_single_async_capability() {
    snapshot(
        "single",
        quote!(app_id = "hello", auth = TokenCredential),
        quote! {
            impl Hello {
                async fn validate_credentials(
                    &self,
                    cx: &ContextOf<Self>,
                    _req: ValidateCredentials,
                ) -> Result<ValidatedCredentials> {
                    Ok(ValidatedCredentials { valid: true, unique_tenant_id: "t".into() })
                }
            }
        },
    );
}

#[test]
fn a_list_capability_with_a_page_size() {
    snapshot(
        "list",
        quote!(app_id = "lister", auth = TokenCredential),
        quote! {
            impl Lister {
                #[connector(page_size = 25)]
                async fn list_accounts(
                    &self,
                    cx: &ContextOf<Self>,
                    _req: ListAccounts,
                    page: PageRequest<Offset>,
                ) -> Result<Paged<FoundAccountData, Offset>> {
                    unreachable!("only expanded, never run")
                }
            }
        },
    );
}

#[test]
fn plain_methods_are_wrapped_in_a_future() {
    snapshot(
        "sync",
        quote!(app_id = "plain"),
        quote! {
            impl Plain {
                fn delete_account(&self, cx: &ContextOf<Self>, req: DeleteAccount) -> Result<Reply<DeletedAccount>> {
                    unreachable!("only expanded, never run")
                }

                fn validate_credential_config(
                    &self,
                    cx: &UnauthenticatedContextOf<Self>,
                    req: ValidateCredentialConfig,
                ) -> Result<ValidatedCredentialConfig> {
                    unreachable!("only expanded, never run")
                }
            }
        },
    );
}

#[test]
fn a_custom_capability() {
    snapshot(
        "custom",
        quote!(app_id = "counting"),
        quote! {
            impl Counting {
                /// Counts the accounts.
                #[connector(custom, level = read)]
                async fn count_accounts(&self, cx: &ContextOf<Self>, req: CountAccounts) -> Result<Reply<AccountCount>> {
                    unreachable!("only expanded, never run")
                }

                #[connector(custom)]
                fn touch(&self, cx: &ContextOf<Self>, req: Touch) -> connector_sdk::Result<Touched> {
                    unreachable!("only expanded, never run")
                }
            }
        },
    );
}

#[test]
fn display_names_and_descriptions() {
    snapshot(
        "described",
        quote!(app_id = "described"),
        quote! {
            impl Described {
                /// From the doc comment,
                ///   over two lines.
                async fn get_account(&self, cx: &ContextOf<Self>, req: GetAccount) -> Result<FoundAccountData> {
                    unreachable!("only expanded, never run")
                }

                /// Not this doc comment: the attribute wins.
                #[connector(display_name = "Remove", description = "From the attribute.")]
                async fn delete_account(&self, cx: &ContextOf<Self>, req: DeleteAccount) -> Result<DeletedAccount> {
                    unreachable!("only expanded, never run")
                }

                async fn activate_account(&self, cx: &ContextOf<Self>, req: ActivateAccount) -> Result<ActivatedAccount> {
                    unreachable!("only expanded, never run")
                }
            }
        },
    );
}

#[test]
fn settings_auth_categories_and_version() {
    snapshot(
        "metadata",
        quote!(
            app_id = "full",
            name = "Full App",
            description = "Every key.",
            logo_url = "https://full.example/logo.png",
            app_vendor_domain = "full.example",
            categories = [Developers, ItAndSecurity],
            version = "2.1.0",
            auth = OAuthCredential,
            settings = FullSettings,
            resource_types = resource_types(),
            entitlement_types = entitlement_types(),
        ),
        quote! {
            impl Full {
                async fn validate_credentials(&self, cx: &ContextOf<Self>, _req: ValidateCredentials) -> Result<ValidatedCredentials> {
                    unreachable!("only expanded, never run")
                }

                #[connector(skip)]
                fn helper(&self) -> u32 {
                    1
                }
            }
        },
    );
}

#[test]
fn several_credentials_and_another_crate_path() {
    snapshot(
        "credentials",
        quote!(
            app_id = "multi",
            credentials = [
                TokenCredential(id = "api", description = "An API token."),
                BasicCredential(id = "admin", description = "An admin login.", optional),
            ],
            allowed_credentials = [["api"], ["api", "admin"]],
            crate = "::my_sdk",
        ),
        quote! {
            impl Multi {
                async fn validate_credentials(&self, cx: &ContextOf<Self>, _req: ValidateCredentials) -> Result<ValidatedCredentials> {
                    unreachable!("only expanded, never run")
                }
            }
        },
    );
}

#[test]
fn a_cfg_on_a_method_is_copied_to_its_registration() {
    snapshot(
        "cfg",
        quote!(app_id = "conditional"),
        quote! {
            impl Conditional {
                async fn validate_credentials(&self, cx: &ContextOf<Self>, _req: ValidateCredentials) -> Result<ValidatedCredentials> {
                    unreachable!("only expanded, never run")
                }

                #[cfg(feature = "writes")]
                async fn delete_account(&self, cx: &ContextOf<Self>, req: DeleteAccount) -> Result<DeletedAccount> {
                    unreachable!("only expanded, never run")
                }
            }
        },
    );
}

#[test]
fn an_erroring_input_keeps_the_impl_and_gets_a_stand_in() {
    snapshot(
        "erroring",
        quote!(app_idd = "typo", auth = TokenCredential),
        quote! {
            impl Broken {
                #[connector(page_size = 10)]
                async fn list_acounts(&self, cx: &ContextOf<Self>, req: ListAccounts, page: PageRequest<u32>) -> Result<Paged<FoundAccountData, u32>> {
                    unreachable!("only expanded, never run")
                }

                #[connector(skip)]
                fn helper(&self) {}
            }
        },
    );
}

#[test]
fn on_a_struct_the_struct_gets_a_stand_in() {
    snapshot(
        "on_a_struct",
        quote!(app_id = "misplaced"),
        quote! {
            #[derive(Default)]
            pub struct Misplaced;
        },
    );
}

// Which errors an input gets.

#[test]
fn a_misspelt_or_badly_valued_app_id_is_not_also_missing() {
    let item = quote!(impl App {});
    assert_eq!(
        errors(quote!(name = "App"), item.clone()),
        ["missing `app_id`: `#[connector(app_id = \"my_app\", ...)]`"]
    );
    assert_eq!(
        errors(quote!(app_idd = "app"), item.clone()),
        ["unknown key `app_idd`; did you mean `app_id`?"]
    );
    assert_eq!(
        errors(quote!(app_id = app), item.clone()),
        ["`app_id` takes a string literal"]
    );
    assert_eq!(errors(quote!(app_id), item), ["expected `app_id = ...`"]);
}

#[test]
fn every_independent_mistake_is_reported() {
    let errors = errors(
        quote!(app_id = "", colour = "blue"),
        quote! {
            impl<T> App<T> {
                fn list_acounts(&self) {}
                fn validate_credentials(self, cx: &ContextOf<Self>, req: ValidateCredentials) -> Result<ValidatedCredentials> { unreachable!("only expanded, never run") }
                #[connector(custom)]
                fn Count(&self, cx: &ContextOf<Self>, req: Count) -> Result<Counted> { unreachable!("only expanded, never run") }
            }
        },
    );
    let firsts: Vec<&str> = errors
        .iter()
        .map(|error| error.lines().next().unwrap())
        .collect();
    assert_eq!(
        firsts,
        [
            "`app_id` must not be empty",
            "unknown key `colour`; expected one of: app_id, name, description, logo_url, app_vendor_domain, categories, version, auth, credentials, allowed_credentials, settings, resource_types, entitlement_types, oauth, crate",
            "a connector type cannot be generic: #[connector] needs one concrete type",
            "`list_acounts` is not a standard capability; did you mean `list_accounts`?",
            "a capability takes `&self`: the connector is shared by every call",
            "custom capability names use lowercase letters and single underscores only, like `count_accounts`; `Count` does not",
        ]
    );
}

#[test]
fn a_macro_inside_the_impl_is_refused() {
    assert_eq!(
        errors(
            quote!(app_id = "app"),
            quote!(impl App { capabilities!(list_accounts); })
        ),
        [
            "macros cannot expand to capabilities inside a #[connector] impl; move this to another impl block"
        ]
    );
}

#[test]
fn a_trait_impl_is_one_error_and_its_methods_are_not_checked() {
    assert_eq!(
        errors(
            quote!(app_id = "app"),
            quote!(impl Connector for App { fn metadata() -> Metadata { unreachable!("only expanded, never run") } })
        ),
        ["#[connector] goes on an inherent `impl` block, not on a trait implementation"]
    );
}

#[test]
fn argument_counts() {
    let errors = errors(
        quote!(app_id = "app"),
        quote! {
            impl App {
                fn list_accounts(&self, cx: &ContextOf<Self>, req: ListAccounts) -> Result<Paged<FoundAccountData, u32>> { unreachable!("only expanded, never run") }
                fn get_account(&self, cx: &ContextOf<Self>) -> Result<FoundAccountData> { unreachable!("only expanded, never run") }
                fn delete_account(&self, cx: &ContextOf<Self>, req: DeleteAccount, a: u8, b: u8) -> Result<DeletedAccount> { unreachable!("only expanded, never run") }
                fn activate_account(&self, cx: &ContextOf<Self>, req: ActivateAccount) { }
            }
        },
    );
    let firsts: Vec<&str> = errors
        .iter()
        .map(|error| error.lines().next().unwrap())
        .collect();
    assert_eq!(
        firsts,
        [
            "`list_accounts` is a list capability: it also takes the page to fetch, `page: PageRequest<Cursor>`, after the request",
            "`get_account` takes 2 arguments after `&self`, found 1",
            "`delete_account` takes 2 arguments after `&self`, found 4",
            "`activate_account` must return `Result<...>`",
        ]
    );
}

#[test]
fn method_attribute_keys() {
    let errors = errors(
        quote!(app_id = "app"),
        quote! {
            impl App {
                #[connector(display_nme = "X", frobnicate, skip = true, page_size = 0, level = loud, description)]
                fn validate_credentials(&self, cx: &ContextOf<Self>, req: ValidateCredentials) -> Result<ValidatedCredentials> { unreachable!("only expanded, never run") }
            }
        },
    );
    assert_eq!(
        errors,
        [
            "unknown key `display_nme`; did you mean `display_name`?",
            "unknown key `frobnicate`; expected one of: skip, custom, level, display_name, description, page_size",
            "`skip` takes no value",
            "`page_size` takes a positive whole number",
            "expected `read`, `write` or `validation`",
            "`description` needs a value: `description = ...`",
        ]
    );
}

// The parsing helpers.

/// The attribute `#[connector(tokens)]`, checked, and the messages of its errors.
fn args(tokens: TokenStream) -> (Attr, Vec<String>) {
    let input = crate::parse::parse(tokens, quote!(impl App {}));
    let mut errors = Errors::default();
    let args = crate::validate::attr::validate(input.args, &mut errors)
        .finish()
        .expect("an app_id");
    let messages = errors
        .into_error()
        .map(|error| error.into_iter().map(|error| error.to_string()).collect())
        .unwrap_or_default();
    (args, messages)
}

#[test]
fn the_attribute_s_values_are_read() {
    let (args, errors) = args(quote!(
        app_id = "full",
        categories = [Developers, ItAndSecurity],
        auth = TokenCredential,
        settings = (),
        crate = crate,
    ));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(args.metadata.app_id.value(), "full");
    assert_eq!(args.metadata.categories.len(), 2);
    let (credentials, settings, krate) = (&args.credentials, &args.settings, &args.krate);
    assert_eq!(quote!(#credentials).to_string(), "TokenCredential");
    assert_eq!(quote!(#settings).to_string(), "()");
    assert_eq!(quote!(#krate).to_string(), "crate");
}

#[test]
fn the_attribute_s_mistakes_are_all_collected() {
    let (_, errors) = args(quote!(
        app_id = "app",
        app_id = "again",
        categories = Developers,
        auth = "TokenCredential",
        credentials = [TokenCredential(id = "api")],
        allowed_credentials = [["apii"]],
    ));
    assert_eq!(
        errors,
        [
            "`app_id` is given twice",
            "expected a list of categories: `categories = [Developers, ItAndSecurity]`",
            "`auth` takes a type, such as `TokenCredential`",
            "this credential needs a `description = \"...\"`",
            "`apii` is not a declared credential id",
            "`allowed_credentials` needs `credentials = [...]`",
        ]
    );
}

#[test]
fn credentials_ids_are_checked_against_each_other() {
    let (args, errors) = args(quote!(
        app_id = "multi",
        credentials = [
            TokenCredential(id = "api", description = "A token."),
            BasicCredential(id = "api", description = "A login.", optional),
        ],
        allowed_credentials = [["apii"]],
    ));
    assert_eq!(args.metadata.credentials.len(), 2);
    assert!(args.metadata.credentials[1].optional);
    assert_eq!(
        errors,
        [
            "credential id `api` is declared twice",
            "`apii` is not a declared credential id; did you mean `api`?",
        ]
    );
}

#[test]
fn doc_comments_become_descriptions() {
    let item: syn::ImplItemFn = syn::parse_quote! {
        ///   First line.
        ///
        /// Second paragraph.
        #[inline]
        fn f(&self) {}
    };
    assert_eq!(
        crate::validate::doc_of(&item.attrs).as_deref(),
        Some("First line.\n\nSecond paragraph.")
    );
    let bare: syn::ImplItemFn = syn::parse_quote!(
        fn f(&self) {}
    );
    assert_eq!(crate::validate::doc_of(&bare.attrs), None);
}
