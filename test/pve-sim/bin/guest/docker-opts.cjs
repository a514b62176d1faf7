// Option parsing shared by the guest docker shim commands.

/** Splits leading `-x`/`--x[=v]` options (those in `withValue` take a value) from the rest. */
function takeOpts(args, withValue) {
  const opts = { _: [], multi: {} };
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith("-") || a === "-") break;
    const [flag, inline] = a.split(/=(.*)/s);
    if (withValue.has(flag)) {
      const v = inline !== undefined ? inline : args[++i];
      opts.multi[flag] = opts.multi[flag] || [];
      opts.multi[flag].push(v);
    } else opts[flag] = true;
  }
  opts._ = args.slice(i);
  return opts;
}

module.exports = { takeOpts };
