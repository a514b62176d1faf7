// What the server must know about SQL text before SQLite sees it: where one statement ends
// (sqld refuses several statements in one `execute`, and the `libsql` package silently runs only
// the first), which parameters a statement has (for `describe` and argument checks) and whether
// it is an INSERT/UPDATE/DELETE (sqld reports affected rows and the last rowid only for those).
//
// The scanner follows SQLite's tokenizer rules for what matters here: quoted strings and
// identifiers ('…', "…", `…`, […]), comments (-- and /* */), parameters (?, ?NNN, :a, @a, $a)
// and words; a CREATE TRIGGER body keeps its semicolons until `END;`, as in SQLite's
// sqlite3_complete() (https://sqlite.org/c3ref/complete.html).

export type Token =
  | { kind: "word"; text: string; upper: string; start: number }
  | { kind: "param"; text: string; start: number }
  | { kind: "semi"; start: number }
  | { kind: "open" | "close"; start: number }
  | { kind: "other"; start: number };

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;

/** Splits SQL into tokens, skipping whitespace and comments. Unterminated quotes run to the end. */
export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = sql.length;
  const skipQuoted = (close: string) => {
    for (i++; i < n; i++) {
      if (sql[i] !== close) continue;
      if (close !== "]" && sql[i + 1] === close) i++;
      else break;
    }
    i++;
  };
  while (i < n) {
    const c = sql[i]!;
    const start = i;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "-" && sql[i + 1] === "-") {
      while (i < n && sql[i] !== "\n") i++;
    } else if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === "'" || c === '"' || c === "`" || c === "[") {
      skipQuoted(c === "[" ? "]" : c);
      // A quoted identifier is a word for statement kinds; its text is never a keyword.
      out.push(c === "'" ? { kind: "other", start } : { kind: "word", text: "", upper: "", start });
    } else if (c === ";") {
      out.push({ kind: "semi", start });
      i++;
    } else if (c === "(" || c === ")") {
      out.push({ kind: c === "(" ? "open" : "close", start });
      i++;
    } else if (c === "?") {
      i++;
      while (i < n && /[0-9]/.test(sql[i]!)) i++;
      out.push({ kind: "param", text: sql.slice(start, i), start });
    } else if ((c === ":" || c === "@" || c === "$") && i + 1 < n && WORD_PART.test(sql[i + 1]!)) {
      i++;
      while (i < n && WORD_PART.test(sql[i]!)) i++;
      out.push({ kind: "param", text: sql.slice(start, i), start });
    } else if (WORD_START.test(c)) {
      while (i < n && WORD_PART.test(sql[i]!)) i++;
      const text = sql.slice(start, i);
      out.push({ kind: "word", text, upper: text.toUpperCase(), start });
    } else {
      i++;
      out.push({ kind: "other", start });
    }
  }
  return out;
}

/**
 * Splits SQL text into statements (each without its terminating semicolon, trimmed); empty
 * statements (`;;`, comments only) are dropped.
 */
export function splitStatements(sql: string): string[] {
  const tokens = tokenize(sql);
  const statements: string[] = [];
  let from = 0;
  let first: Token | undefined;
  // 0: start of a statement, 1: plain, 2: saw CREATE [TEMP], 3: inside a trigger body,
  // 4: inside a trigger body right after a semicolon, 5: saw END there.
  let state = 0;
  const cut = (to: number) => {
    if (first) statements.push(sql.slice(from, to).trim());
    first = undefined;
    state = 0;
  };
  for (const t of tokens) {
    if (t.kind === "semi") {
      if (state === 3 || state === 4) state = 4;
      else {
        cut(t.start);
        from = t.start + 1;
      }
      continue;
    }
    first ??= t;
    const word = t.kind === "word" ? t.upper : "";
    if (state === 0) state = word === "CREATE" ? 2 : word === "EXPLAIN" ? 0 : 1;
    else if (state === 2) state = word === "TEMP" || word === "TEMPORARY" ? 2 : word === "TRIGGER" ? 3 : 1;
    else if (state === 4) state = word === "END" ? 5 : 3;
    else if (state === 5) state = 3;
  }
  if (first) statements.push(sql.slice(from).trim());
  return statements.filter((s) => s.length > 0 && tokenize(s).length > 0);
}

/**
 * The statement's parameters by SQLite index (1-based; index 0 unused): `?` takes the next
 * index, `?NNN` index NNN, a named parameter a new index on first use. Unused indexes are null,
 * as sqlite3_bind_parameter_name() reports them (and `?` has no name either).
 */
export function parameterNames(sql: string): (string | null)[] {
  const names: (string | null)[] = [null];
  const byName = new Map<string, number>();
  for (const t of tokenize(sql)) {
    if (t.kind !== "param") continue;
    if (t.text === "?") {
      names.push(null);
    } else if (t.text.startsWith("?")) {
      const index = Number(t.text.slice(1));
      while (names.length <= index) names.push(null);
      names[index] = t.text;
    } else if (!byName.has(t.text)) {
      byName.set(t.text, names.length);
      names.push(t.text);
    }
  }
  return names;
}

export interface StatementKind {
  /** INSERT, REPLACE, UPDATE or DELETE (also after a WITH clause): sqld reports changes() for these. */
  iud: boolean;
  /** INSERT or REPLACE: sqld reports last_insert_rowid() for these. */
  insert: boolean;
  explain: boolean;
}

/** What kind of statement this is, from its leading keywords (skipping a WITH clause). */
export function statementKind(sql: string): StatementKind {
  const tokens = tokenize(sql);
  const first = tokens[0];
  const explain = first?.kind === "word" && first.upper === "EXPLAIN";
  let verb = first?.kind === "word" ? first.upper : "";
  if (verb === "WITH") {
    // The main verb is the first word outside parentheses after the common table expressions.
    let depth = 0;
    verb = "";
    for (const t of tokens.slice(1)) {
      if (t.kind === "open") depth++;
      else if (t.kind === "close") depth--;
      else if (
        depth === 0 &&
        t.kind === "word" &&
        /^(INSERT|REPLACE|UPDATE|DELETE|SELECT|VALUES)$/.test(t.upper)
      ) {
        verb = t.upper;
        break;
      }
    }
  }
  const insert = verb === "INSERT" || verb === "REPLACE";
  return { iud: insert || verb === "UPDATE" || verb === "DELETE", insert, explain };
}
