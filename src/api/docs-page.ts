/**
 * A readable page over /api/openapi.json: operations grouped by tag, each with its roles,
 * parameters, request and answer schemas. Plain HTML and a few lines of script served
 * by the service itself (works offline, no CDN, nothing to build).
 */
export const docsPageHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sanifleet API</title>
<style>
  body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; margin: 0; color: #1d2329; background: #f6f7f9; }
  header { background: #143d59; color: #fff; padding: 12px 20px; position: sticky; top: 0; display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
  header h1 { font-size: 18px; margin: 0; }
  header input { flex: 1; min-width: 180px; max-width: 420px; padding: 6px 8px; border-radius: 4px; border: 0; font: inherit; }
  header a { color: #cfe3f3; }
  main { max-width: 1100px; margin: 0 auto; padding: 12px 16px 48px; }
  h2 { margin: 24px 0 8px; font-size: 16px; text-transform: capitalize; }
  details { background: #fff; border: 1px solid #dde1e6; border-radius: 6px; margin: 6px 0; }
  summary { cursor: pointer; padding: 8px 10px; display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
  .m { font: 600 12px ui-monospace, monospace; padding: 2px 6px; border-radius: 3px; color: #fff; min-width: 52px; text-align: center; }
  .get { background: #2b7a4b; } .post { background: #1d5fa8; } .put { background: #8a5a00; } .patch { background: #6a3fa0; } .delete { background: #a8322d; }
  code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
  .roles { margin-left: auto; font-size: 12px; color: #44515e; }
  .body { padding: 0 12px 12px; }
  pre { background: #f1f3f5; padding: 8px; overflow: auto; max-height: 360px; border-radius: 4px; }
  table { border-collapse: collapse; width: 100%; } td, th { text-align: left; border-bottom: 1px solid #e6e9ec; padding: 4px 6px; vertical-align: top; }
</style>
</head>
<body>
<header><h1>sanifleet API</h1><input id="q" type="search" placeholder="filter: path, role or words" aria-label="filter operations"><a href="/api/openapi.json">openapi.json</a></header>
<main id="main"><p>Loading /api/openapi.json…</p></main>
<script>
(async () => {
  const main = document.getElementById('main');
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
  const doc = await (await fetch('/api/openapi.json')).json();
  const ops = [];
  for (const [path, item] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(item)) ops.push({ path, method, op });
  const block = (title, value) => value ? '<h4>' + title + '</h4><pre>' + esc(JSON.stringify(value, null, 2)) + '</pre>' : '';
  const render = (filter) => {
    const f = filter.trim().toLowerCase();
    const groups = new Map();
    for (const o of ops) {
      const text = (o.method + ' ' + o.path + ' ' + o.op.description + ' ' + o.op['x-roles'].join(' ')).toLowerCase();
      if (f && !text.includes(f)) continue;
      const tag = o.op.tags[0];
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag).push(o);
    }
    let html = '<p>' + esc(doc.info.description) + '</p>';
    for (const [tag, list] of groups) {
      html += '<h2>' + esc(tag) + '</h2>';
      for (const { path, method, op } of list) {
        const params = (op.parameters || []).map((p) => '<tr><td><code>' + esc(p.name) + '</code></td><td>' + p.in + (p.required ? ', required' : '') + '</td><td><code>' + esc(JSON.stringify(p.schema)) + '</code></td></tr>').join('');
        const body = op.requestBody ? Object.values(op.requestBody.content)[0].schema : undefined;
        const okCode = Object.keys(op.responses).find((c) => c.startsWith('2'));
        const ok = okCode && op.responses[okCode].content ? op.responses[okCode].content['application/json'].schema : undefined;
        html += '<details><summary><span class="m ' + method + '">' + method.toUpperCase() + '</span><code>' + esc(path) + '</code><span>' + esc(op.summary) + '</span><span class="roles">' + esc(op['x-roles'].join(' · ')) + '</span></summary><div class="body">'
          + '<p>' + esc(op.description) + '</p>'
          + (params ? '<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>schema</th></tr>' + params + '</table>' : '')
          + block('Request body', body) + block('Answer ' + okCode, ok && Object.keys(ok).length ? ok : undefined)
          + '</div></details>';
      }
    }
    html += block('Shared schemas', doc.components.schemas);
    main.innerHTML = html;
  };
  render('');
  document.getElementById('q').addEventListener('input', (e) => render(e.target.value));
})().catch((err) => { document.getElementById('main').textContent = 'Could not load the description: ' + err; });
</script>
</body>
</html>
`;
