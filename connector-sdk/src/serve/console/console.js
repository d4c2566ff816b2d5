// The dev console: reads the server's `info`, builds a form per capability from its JSON
// schemas, runs it and shows the answer. The caller token and every credential typed here
// live only in this page's memory: never in the URL, storage or cookies.
"use strict";
(function () {
  const config = JSON.parse(document.getElementById("console-config").textContent);
  const $ = (id) => document.getElementById(id);
  const state = { apps: [], app: null, capability: null, lastRequest: null, nextToken: null };

  if (config.token) $("token-box").hidden = false;

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  async function call(method, path, body) {
    const headers = { "content-type": "application/json" };
    const token = $("token").value;
    if (token) headers.authorization = "Bearer " + token;
    const response = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store", credentials: "omit",
    });
    const text = await response.text();
    let json = null;
    try { json = JSON.parse(text); } catch (_) { json = null; }
    return { status: response.status, text, json };
  }

  function showOutcome(answer) {
    $("outcome").hidden = false;
    $("status").textContent = "HTTP " + answer.status;
    const error = $("error");
    const envelope = answer.json;
    if (envelope && envelope.is_error && envelope.error) {
      const e = envelope.error;
      const lines = [e.error_code + ": " + e.message];
      if (e.error_metadata && e.error_metadata.hint) lines.push("Hint: " + e.error_metadata.hint);
      if (e.status_code) lines.push("Upstream status: " + e.status_code);
      error.textContent = lines.join("\n");
      error.hidden = false;
    } else if (answer.status === 0) {
      error.textContent = "Could not run: " + answer.text;
      error.hidden = false;
    } else if (answer.status >= 400) {
      error.textContent = "The server answered " + answer.status + ": " + (envelope && envelope.detail ? envelope.detail : answer.text);
      error.hidden = false;
    } else {
      error.hidden = true;
      error.textContent = "";
    }
    $("result").textContent = envelope ? JSON.stringify(envelope, null, 2) : answer.text;
  }

  async function load() {
    $("hint").hidden = false;
    $("hint").textContent = "Loading…";
    let apps;
    if (config.layout === "host") {
      const listed = await call("POST", "/list_connector_app_ids", {});
      if (listed.status !== 200) { showOutcome(listed); $("hint").textContent = "Could not load the connectors."; return; }
      apps = listed.json.response.map((id) => ({ id, base: "/" + encodeURIComponent(id) }));
    } else {
      apps = [{ id: null, base: "" }];
    }
    for (const app of apps) {
      const info = await call("GET", app.base + "/info");
      if (info.status !== 200) { showOutcome(info); $("hint").textContent = "Could not load the connector's info."; return; }
      app.info = info.json.response;
      app.id = app.info.app_id;
    }
    state.apps = apps;
    const select = $("app");
    select.replaceChildren(...apps.map((app, index) => el("option", { value: String(index) }, app.info.user_friendly_name || app.id)));
    $("app-box").hidden = apps.length < 2 && config.layout !== "host";
    $("hint").textContent = "Pick a capability.";
    $("outcome").hidden = true;
    selectApp(0);
  }

  function selectApp(index) {
    state.app = state.apps[index];
    const info = state.app.info;
    $("title").textContent = "Connector console: " + (info.user_friendly_name || info.app_id) + " " + info.version;
    const list = $("capabilities");
    list.replaceChildren(...info.capabilities.map((name) => {
      const item = el("li");
      const button = el("button", { type: "button", "data-capability": name }, info.capability_schema[name].display_name || name);
      button.addEventListener("click", () => selectCapability(name));
      item.appendChild(button);
      return item;
    }));
    $("form-box").hidden = true;
  }

  function resolve(schema, root) {
    let current = schema || {};
    for (let depth = 0; depth < 8 && current.$ref; depth += 1) {
      const parts = current.$ref.replace(/^#\//, "").split("/");
      let target = root;
      for (const part of parts) target = target ? target[part] : undefined;
      current = Object.assign({}, target || {}, current, { $ref: undefined });
    }
    const variants = current.anyOf || current.oneOf;
    if (variants) {
      const real = variants.filter((variant) => variant.type !== "null");
      if (real.length === 1) return Object.assign({}, resolve(real[0], root), { title: current.title, description: current.description, default: current.default });
    }
    return current;
  }

  function isSecret(schema) {
    return schema["x-secret"] === true || schema["x-field_type"] === "SECRET" || schema.format === "password";
  }

  // One input per property; returns a reader that gives the section's value (or undefined).
  function section(title, prefix, schema, root) {
    const box = el("fieldset");
    box.appendChild(el("legend", {}, title));
    const properties = (schema && schema.properties) || {};
    const order = (schema && schema.field_order) || Object.keys(properties);
    const required = new Set((schema && schema.required) || []);
    const readers = [];
    for (const name of order) {
      if (!properties[name]) continue;
      const field = resolve(properties[name], root);
      const id = prefix + "." + name;
      const row = el("div", { class: "field" });
      const label = el("label", { for: id, class: required.has(name) ? "required" : "" }, field.title || name);
      row.appendChild(label);
      let input;
      let read;
      if (Array.isArray(field.enum)) {
        input = el("select", { id, name: id });
        input.appendChild(el("option", { value: "" }, "(not set)"));
        for (const value of field.enum) input.appendChild(el("option", { value: JSON.stringify(value) }, String(value)));
        read = () => (input.value === "" ? undefined : JSON.parse(input.value));
      } else if (field.type === "boolean") {
        input = el("select", { id, name: id });
        for (const [value, text] of [["", "(not set)"], ["true", "true"], ["false", "false"]]) input.appendChild(el("option", { value }, text));
        read = () => (input.value === "" ? undefined : input.value === "true");
      } else if (field.type === "integer" || field.type === "number") {
        input = el("input", { id, name: id, type: "number", step: field.type === "integer" ? "1" : "any" });
        read = () => (input.value === "" ? undefined : Number(input.value));
      } else if (field.type === "string") {
        input = el("input", { id, name: id, type: isSecret(field) ? "password" : "text", autocomplete: "off", spellcheck: "false" });
        read = () => (input.value === "" ? undefined : input.value);
      } else {
        input = el("textarea", { id, name: id, placeholder: "JSON", spellcheck: "false" });
        read = () => {
          if (input.value.trim() === "") return undefined;
          try { return JSON.parse(input.value); } catch (_) { throw new Error((field.title || name) + " is not valid JSON"); }
        };
      }
      row.appendChild(input);
      if (field.description) row.appendChild(el("small", {}, field.description));
      box.appendChild(row);
      readers.push([name, read]);
    }
    if (readers.length === 0) box.appendChild(el("p", {}, "Nothing to fill in."));
    const read = () => {
      const value = {};
      for (const [name, reader] of readers) {
        const v = reader();
        if (v !== undefined) value[name] = v;
      }
      return value;
    };
    return { box, read };
  }

  function selectCapability(name) {
    state.capability = name;
    state.nextToken = null;
    $("hint").hidden = true;
    for (const button of document.querySelectorAll("#capabilities button")) {
      button.classList.toggle("selected", button.dataset.capability === name);
    }
    const info = state.app.info;
    const entry = info.capability_schema[name];
    $("capability-title").textContent = entry.display_name || name;
    $("capability-description").textContent = entry.description || "";
    const form = $("form");
    const parts = [];
    const settings = section("Settings", "settings", info.request_settings_schema, info.request_settings_schema);
    parts.push(["settings", settings]);
    const auth = info.authentication_schema;
    if (auth && auth.properties) {
      const credentials = section("Credentials", "auth", auth, auth);
      const kind = auth["x-credential-type"] || "token";
      parts.push(["auth", { box: credentials.box, read: () => ({ [kind]: credentials.read() }) }]);
    } else if (Array.isArray(info.credentials_schema) && info.credentials_schema.length > 0) {
      const box = el("fieldset");
      box.appendChild(el("legend", {}, "Credentials"));
      const area = el("textarea", { id: "credentials", name: "credentials", placeholder: "JSON array of credentials", spellcheck: "false" });
      box.appendChild(area);
      parts.push(["credentials", { box, read: () => (area.value.trim() === "" ? undefined : JSON.parse(area.value)) }]);
    }
    const argument = entry.argument || {};
    parts.push(["request", section("Request", "request", argument, argument)]);
    const paging = el("fieldset");
    paging.appendChild(el("legend", {}, "Page"));
    const row = el("div", { class: "field" });
    row.appendChild(el("label", { for: "page.size" }, "Page size"));
    const size = el("input", { id: "page.size", name: "page.size", type: "number", min: "1", step: "1" });
    row.appendChild(size);
    row.appendChild(el("small", {}, "For list capabilities; empty for the connector's default."));
    paging.appendChild(row);
    form.replaceChildren(...parts.map(([, part]) => part.box), paging);
    state.readEnvelope = () => {
      const envelope = {};
      for (const [key, part] of parts) {
        const value = part.read();
        if (value !== undefined) envelope[key] = value;
      }
      if (size.value !== "") envelope.page = { size: Number(size.value) };
      return envelope;
    };
    $("form-box").hidden = false;
    $("next-page").hidden = true;
    $("outcome").hidden = true;
  }

  async function run(envelope) {
    const answer = await call("POST", state.app.base + "/" + state.capability, envelope);
    showOutcome(answer);
    const page = answer.json && !answer.json.is_error ? answer.json.page : null;
    state.lastRequest = envelope;
    state.nextToken = page && page.token ? page.token : null;
    $("next-page").hidden = !state.nextToken;
    if (page) state.pageSize = page.size;
  }

  $("load").addEventListener("click", () => load().catch((err) => showOutcome({ status: 0, text: String(err), json: null })));
  $("app").addEventListener("change", (event) => selectApp(Number(event.target.value)));
  $("run").addEventListener("click", () => {
    let envelope;
    try { envelope = state.readEnvelope(); } catch (err) { showOutcome({ status: 0, text: String(err.message || err), json: null }); return; }
    run(envelope).catch((err) => showOutcome({ status: 0, text: String(err), json: null }));
  });
  $("next-page").addEventListener("click", () => {
    const envelope = Object.assign({}, state.lastRequest, { page: { token: state.nextToken, size: state.pageSize } });
    run(envelope).catch((err) => showOutcome({ status: 0, text: String(err), json: null }));
  });
})();
