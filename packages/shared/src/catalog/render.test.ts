import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CATALOG_APPS, generateSecrets, getCatalogEntry } from "./index.ts";
import { CatalogParameterError, resolveParameters } from "./parameters.ts";
import { CatalogTemplateError, renderCompose } from "./render.ts";
import type { CatalogEntry } from "./schema.ts";

/** What compose does to a value: `$$` is a literal `$`; any other `$NAME`/`${` would interpolate. */
function composeInterpolate(value: string): string {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === "$") {
      const next = value[i + 1] ?? "";
      if (next === "$") {
        out += "$";
        i++;
        continue;
      }
      if (next === "{" || /[A-Za-z_]/.test(next))
        throw new Error(`compose would interpolate at ${i}: ${value}`);
    }
    out += c;
  }
  return out;
}

/** Every string in a parsed document, compose-interpolated. */
function strings(node: unknown): string[] {
  if (typeof node === "string") return [composeInterpolate(node)];
  if (Array.isArray(node)) return node.flatMap(strings);
  if (typeof node === "object" && node !== null) return Object.values(node).flatMap(strings);
  return [];
}

const CORPUS = [
  "",
  "plain",
  "; rm -rf / #",
  "$(touch /tmp/pwned)",
  "`touch /tmp/pwned`",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text is the point of the test
  "${HOME}",
  "$HOME",
  "$$",
  "$${X}",
  "a: b",
  "key: [1, 2]\nother: {x: y}",
  "- item",
  "'single' \"double\"",
  '"; echo "',
  "line1\nline2\r\nline3",
  "\ttabbed\t",
  "# not a comment",
  "&anchor *alias !!python/object:os.system",
  "--- \n...\n",
  "{{ param.admin_user }}",
  "{{ secret.db_password }}",
  "null",
  "true",
  "0x1F",
  "~",
  "| > %",
  "\\ \\n \\\\",
  "héllo wörld 🚀 中文 \u202e rtl",
  "\u2028\u2029\u0085",
  "x".repeat(300),
];

const TEST_ENTRY: CatalogEntry = {
  ...getCatalogEntry("nginx")!,
  id: "injection-test",
  compose: `
services:
  web:
    image: nginx:1.27.3-alpine
    command: ["sh", "-c", "echo {{ param.free }}", "{{ param.free }}"]
    environment:
      PLAIN: "{{ param.free }}"
      EMBEDDED: "prefix-{{ param.free }}-{{ secret.token }}-suffix"
    labels:
      - "note={{ param.free }}"
    ports:
      - "{{ port.http }}:80"
    volumes:
      - html:/usr/share/nginx/html
volumes:
  html: {}
`,
  parameters: [{ name: "free", label: "Free text", type: "string", required: false }],
  secrets: [{ name: "token", length: 16, alphabet: "hex", description: "t" }],
};

describe("renderCompose: values are inserted as literal YAML scalars", () => {
  it.each(CORPUS.map((v) => [JSON.stringify(v).slice(0, 40), v] as const))(
    "%s stays literal",
    (_n, value) => {
      const text = renderCompose(TEST_ENTRY, { free: value }, { token: value === "" ? "t" : value });
      const doc = parse(text) as {
        services: { web: { command: string[]; environment: Record<string, string>; labels: string[] } };
      };
      const web = doc.services.web;
      expect(Object.keys(doc)).toEqual(["services", "volumes"]);
      expect(Object.keys(web.environment)).toEqual(["PLAIN", "EMBEDDED"]);
      expect(composeInterpolate(web.environment.PLAIN!)).toBe(value);
      expect(composeInterpolate(web.environment.EMBEDDED!)).toBe(`prefix-${value}-${value || "t"}-suffix`);
      expect(web.command.map(composeInterpolate)).toEqual(["sh", "-c", `echo ${value}`, value]);
      expect(web.labels.map(composeInterpolate)).toEqual([`note=${value}`]);
    },
  );

  it("keeps every catalog template's shape whatever its free-text parameters and secrets hold", () => {
    let rendered = 0;
    for (const entry of CATALOG_APPS) {
      const baseline = parse(renderCompose(entry, {}, generateSecrets(entry)));
      for (const value of CORPUS.filter((v) => v !== "")) {
        const secrets = Object.fromEntries(entry.secrets.map((s) => [s.name, value]));
        for (const param of [...entry.parameters, undefined]) {
          let text: string;
          try {
            text = renderCompose(entry, param ? { [param.name]: value } : {}, secrets);
          } catch (err) {
            // A parameter with a pattern, format or type may refuse the value, clearly.
            expect(err, `${entry.id}.${param?.name}`).toBeInstanceOf(CatalogParameterError);
            expect((err as Error).message).toMatch(new RegExp(`^parameter '${param?.name}': `));
            continue;
          }
          const doc = parse(text);
          rendered++;
          // Same structure as with defaults: same keys everywhere, same list lengths.
          expect(shape(doc), `${entry.id}.${param?.name}`).toEqual(shape(baseline));
          const all = strings(doc);
          if (entry.secrets.length > 0) expect(all.some((s) => s.includes(value))).toBe(true);
          if (param && entry.compose.includes(`param.${param.name}`)) {
            expect(
              all.some((s) => s.includes(value)),
              `${entry.id}.${param.name}`,
            ).toBe(true);
          }
        }
      }
    }
    expect(rendered).toBeGreaterThan(500);
  });
});

/** The structure of a document with leaf values erased. */
function shape(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(shape);
  if (typeof node === "object" && node !== null) {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, shape(v)]));
  }
  return typeof node;
}

describe("parameter validation", () => {
  const grafana = getCatalogEntry("grafana")!;
  const secrets = generateSecrets(grafana);

  it("fills defaults and passes given values through", () => {
    expect(resolveParameters(grafana, {})).toEqual({ admin_user: "admin" });
    expect(resolveParameters(grafana, { admin_user: "ops" }).admin_user).toBe("ops");
  });

  it("names the parameter and says what is wrong", () => {
    const fail = (entry: CatalogEntry, params: Record<string, unknown>) => {
      try {
        renderCompose(entry, params, generateSecrets(entry));
      } catch (err) {
        expect(err).toBeInstanceOf(CatalogParameterError);
        return (err as Error).message;
      }
      throw new Error("expected a validation error");
    };
    expect(fail(grafana, { admin_user: 42 })).toBe("parameter 'admin_user': must be a string");
    expect(fail(grafana, { colour: "red" })).toBe("parameter 'colour': is not a parameter of 'grafana'");
    const redis = getCatalogEntry("redis")!;
    expect(fail(redis, { max_memory_mb: 8 })).toBe("parameter 'max_memory_mb': must be at least 16");
    expect(fail(redis, { max_memory_mb: 16.5 })).toBe("parameter 'max_memory_mb': must be a whole number");
    expect(fail(redis, { max_memory_mb: "256" })).toBe("parameter 'max_memory_mb': must be a number");
    const paperless = getCatalogEntry("paperless-ngx")!;
    expect(fail(paperless, { ocr_language: "klingon" })).toBe(
      "parameter 'ocr_language': must be one of 'eng', 'deu', 'fra', 'ita', 'spa'",
    );
    expect(fail(paperless, { timezone: "Mars/Olympus" })).toBe(
      "parameter 'timezone': must be an IANA time zone such as Europe/Berlin",
    );
    const gitea = getCatalogEntry("gitea")!;
    expect(fail(gitea, { disable_registration: "yes" })).toBe(
      "parameter 'disable_registration': must be true or false",
    );
    expect(fail(TEST_ENTRY, { free: "a\0b" })).toBe("parameter 'free': must not contain NUL bytes");
    // Several problems are reported together.
    expect(fail(grafana, { admin_user: "", colour: "red" })).toBe(
      "parameter 'colour': is not a parameter of 'grafana'; parameter 'admin_user': is required",
    );
  });

  it("checks URL and host name parameters", () => {
    const entry: CatalogEntry = {
      ...TEST_ENTRY,
      parameters: [
        { name: "callback", label: "Callback", type: "string", format: "url", required: true },
        { name: "smtp_host", label: "SMTP", type: "string", format: "hostname", required: false },
      ],
      compose: TEST_ENTRY.compose.replaceAll("param.free", "param.callback"),
    };
    expect(() => renderCompose(entry, { callback: "ftp://x" }, { token: "t" })).toThrow(
      "parameter 'callback': must be an http(s) URL",
    );
    expect(() =>
      renderCompose(entry, { callback: "https://ok.example", smtp_host: "bad host" }, { token: "t" }),
    ).toThrow("parameter 'smtp_host': must be a host name");
  });

  it("checks email parameters", () => {
    const entry: CatalogEntry = {
      ...TEST_ENTRY,
      parameters: [{ name: "admin_email", label: "E-mail", type: "string", format: "email", required: true }],
      compose: TEST_ENTRY.compose.replaceAll("param.free", "param.admin_email"),
    };
    expect(() => renderCompose(entry, { admin_email: "not-an-email" }, { token: "t" })).toThrow(
      "parameter 'admin_email': must be an email address",
    );
    expect(() => renderCompose(entry, {}, { token: "t" })).toThrow("parameter 'admin_email': is required");
    expect(renderCompose(entry, { admin_email: "me@example.org" }, { token: "t" })).toContain(
      '"me@example.org"',
    );
  });

  it("refuses missing, unknown and NUL-bearing secrets without echoing them", () => {
    expect(() => renderCompose(grafana, {}, {})).toThrow("secret 'admin_password': is missing");
    expect(() => renderCompose(grafana, {}, { ...secrets, extra: "x" })).toThrow(
      "secret 'extra': is not a secret of 'grafana'",
    );
    expect(() => renderCompose(grafana, {}, { admin_password: "hunter2\0" })).toThrow(
      /^secret 'admin_password': must not contain NUL bytes$/,
    );
  });

  it("publishes the host ports it is given", () => {
    const text = renderCompose(getCatalogEntry("gitea")!, {}, {}, { ports: { http: 31000, ssh: 31022 } });
    expect(text).toContain('"31000:3000"');
    expect(text).toContain('"31022:22"');
    expect(text).toContain('GITEA__server__SSH_PORT: "31022"');
    expect(() => renderCompose(getCatalogEntry("gitea")!, {}, {}, { ports: { http: 70000 } })).toThrow(
      /host port 70000/,
    );
  });
});

describe("app facts from the platform", () => {
  const gitea = getCatalogEntry("gitea")!;

  it("fill {{ app.url }}, {{ app.host }} and {{ app.scheme }} from the app's URL", () => {
    const text = renderCompose(
      getCatalogEntry("nextcloud")!,
      {},
      generateSecrets(getCatalogEntry("nextcloud")!),
      {
        appUrl: "https://files.pylon.internal/",
        appName: "files",
      },
    );
    expect(text).toContain('NEXTCLOUD_TRUSTED_DOMAINS: "files.pylon.internal localhost"');
    expect(text).toContain('OVERWRITEPROTOCOL: "https"');
    expect(text).toContain('OVERWRITECLIURL: "https://files.pylon.internal"');
  });

  it("default to the HTTP port on localhost", () => {
    expect(renderCompose(gitea, {}, {})).toContain('GITEA__server__ROOT_URL: "http://localhost:3000"');
    expect(renderCompose(gitea, {}, {}, { ports: { http: 30080 } })).toContain("http://localhost:30080");
  });

  it("refuse URLs and names that are not plain", () => {
    for (const appUrl of [
      "ftp://x",
      "not a url",
      "https://u:p@x.example",
      "https://x.example/$(id)",
      'https://x/"',
    ]) {
      expect(() => renderCompose(gitea, {}, {}, { appUrl }), appUrl).toThrow(CatalogTemplateError);
    }
    expect(() => renderCompose(gitea, {}, {}, { appName: "Bad_Name" })).toThrow(
      "app name 'Bad_Name' is not a DNS label",
    );
  });
});
