// The remembered theme, before the first paint (main.tsx applies it too, if this cannot run).
// A file of its own, not inline: the dashboard's Content-Security-Policy allows no inline script.
try {
  const t = localStorage.getItem("pylon-theme");
  if (t === "light" || t === "dark") document.documentElement.dataset.theme = t;
} catch {}
