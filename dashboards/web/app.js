// The shagym dashboard: one page, hash routes, the JSON API only.
// Posts are hostile input: every value from the API reaches the page through
// textContent / text nodes (el() below), never through innerHTML.
'use strict';

const LANGS = ['kk', 'ru', 'en'];
const CATEGORIES = Object.keys(NAMES.category);
const REGIONS = Object.keys(NAMES.region);
const REVIEWS = Object.keys(NAMES.review);
const state = { lang: 'kk', user: null, role: null, csrf: '', charts: [] };
const ROLE_RANK = { viewer: 0, analyst: 1, admin: 2 };

function t(key) { return (I18N[state.lang] && I18N[state.lang][key]) || I18N.en[key] || key; }
function name(kind, id) {
  if (id === null || id === undefined || id === '') return kind === 'region' ? t('region.unknown') : '—';
  const row = NAMES[kind] && NAMES[kind][id];
  return row ? row[LANGS.indexOf(state.lang)] : String(id);
}

// el('td', {class: 'num'}, 'text', child...): strings become text nodes.
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'value') e.value = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(method, path, body) {
  const opts = { method, headers: {}, credentials: 'same-origin' };
  if (method !== 'GET') {
    opts.headers['X-CSRF-Token'] = state.csrf;
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body || {});
  }
  const res = await fetch(path, opts);
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (res.status === 401 && path !== '/api/login') { showLogin(); }
  if (!res.ok) {
    const err = new ApiError(res.status, (data && data.error) || res.statusText);
    err.data = data;
    throw err;
  }
  return data;
}

function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '' && v !== undefined && v !== null) u.set(k, v);
  return u.toString();
}

function isoDay(d) { return d.toISOString().slice(0, 10); }
function daysAgo(n) { const d = new Date(); d.setUTCDate(d.getUTCDate() - n); return isoDay(d); }
function pct(v) {
  if (v === null || v === undefined) return el('span', { class: 'muted' }, '—');
  const s = (v > 0 ? '+' : '') + v.toFixed(1) + '%';
  return el('span', { class: v > 0 ? 'up' : v < 0 ? 'down' : '' }, s);
}
function fmtTime(iso) { return iso ? iso.replace('T', ' ').replace('Z', ' UTC') : '—'; }
function errorBox(err) {
  const msg = err && err.status === 403 ? t('error.forbidden') + ': ' + err.message : t('error.generic') + ': ' + (err && err.message);
  return el('p', { class: 'error', role: 'alert' }, msg);
}

// ---- Language -------------------------------------------------------------

function applyLang() {
  document.documentElement.lang = state.lang;
  for (const n of document.querySelectorAll('[data-i18n]')) n.textContent = t(n.dataset.i18n);
  document.getElementById('lang').value = state.lang;
}

// ---- Login ----------------------------------------------------------------

function showLogin() {
  state.user = null;
  document.getElementById('nav').hidden = true;
  document.getElementById('logout').hidden = true;
  document.getElementById('who').textContent = '';
  document.getElementById('page').replaceChildren();
  document.getElementById('login').hidden = false;
}

function loggedIn(me) {
  state.user = me.user; state.role = me.role; state.csrf = me.csrf;
  document.getElementById('login').hidden = true;
  document.getElementById('nav').hidden = false;
  document.getElementById('logout').hidden = false;
  document.getElementById('who').textContent = me.user + ' (' + t('role.' + me.role) + ')';
  for (const a of document.querySelectorAll('#nav a[data-role]')) {
    a.hidden = ROLE_RANK[state.role] < ROLE_RANK[a.dataset.role];
  }
  route();
}

async function doLogin(ev) {
  ev.preventDefault();
  const f = ev.target;
  const errBox = document.getElementById('login-error');
  errBox.textContent = '';
  try {
    const me = await api('POST', '/api/login', { user: f.user.value, password: f.password.value });
    f.password.value = '';
    loggedIn(me);
  } catch (e) {
    errBox.textContent = e.status === 401 ? t('login.failed') : e.message;
  }
}

// ---- Router ---------------------------------------------------------------

function clearCharts() { for (const c of state.charts) c.destroy(); state.charts = []; }

// Each navigation renders into its own container; one that was overtaken by
// a later navigation (a second click, a language switch) is dropped, so two
// answers never end up on one page.
let routeSeq = 0;
async function route() {
  if (!state.user) return;
  const seq = ++routeSeq;
  clearCharts();
  const hash = location.hash || '#/overview';
  const [, page, arg] = hash.split('/');
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('active', a.getAttribute('href') === '#/' + (page || 'overview').split('?')[0]);
  }
  const root = document.getElementById('page');
  delete root.dataset.ready;
  const view = el('div', {});
  root.replaceChildren(view);
  const params = new URLSearchParams(hash.includes('?') ? hash.slice(hash.indexOf('?') + 1) : '');
  const pages = { overview: pageOverview, trends: pageTrends, posts: pagePosts, post: pagePost,
                  sources: pageSources, export: pageExport, rules: pageRules };
  const fn = pages[(page || 'overview').split('?')[0]] || pageOverview;
  const charts = [];
  try {
    await fn(view, arg ? decodeURIComponent(arg.split('?')[0]) : '', params, charts);
  } catch (e) {
    view.appendChild(errorBox(e));
  }
  if (seq !== routeSeq) { for (const c of charts) c.destroy(); return; }
  state.charts = charts;
  root.dataset.ready = hash;
}

// ---- Shared widgets ---------------------------------------------------------

function select(nameAttr, options, value, allLabel) {
  const s = el('select', { name: nameAttr });
  if (allLabel !== undefined) s.appendChild(el('option', { value: '' }, allLabel));
  for (const [v, label] of options) s.appendChild(el('option', { value: v, selected: v === value }, label));
  return s;
}
const catOptions = () => CATEGORIES.map((c) => [c, name('category', c)]);
const regionOptions = () => REGIONS.map((r) => [r, name('region', r)]);

function table(headers, rows) {
  return el('div', { class: 'table-wrap' },
    el('table', {},
      el('thead', {}, el('tr', {}, headers.map((h) => el('th', { class: h.num ? 'num' : null }, h.label || h)))),
      el('tbody', {}, rows)));
}

// Each cell carries its column's name (data-label): on a phone the rows
// become small cards of "name: value" lines instead of six squeezed columns.
function sourceHealthTable(items) {
  const cols = [t('col.source'), t('col.status'), t('col.last_success'), t('col.error_rate'),
    t('col.not_modified'), t('col.posts_day')];
  const cell = (i, attrs, text) => el('td', Object.assign({ 'data-label': cols[i] }, attrs), text);
  return el('div', { id: 'sources-table' }, table(
    [cols[0], cols[1], cols[2], { label: cols[3], num: true }, { label: cols[4], num: true },
     { label: cols[5], num: true }],
    items.map((s) => el('tr', {},
      cell(0, { class: 'src-id' }, s.source),
      cell(1, { class: s.disabled ? 'up' : 'down' },
        s.disabled ? t('sources.disabled') + (s.disabled_reason ? ': ' + s.disabled_reason : '') : t('sources.ok')),
      cell(2, {}, fmtTime(s.last_success)),
      cell(3, { class: 'num' }, (100 * s.error_rate_7d).toFixed(0) + '%'),
      cell(4, { class: 'num' }, (100 * s.not_modified_rate_7d).toFixed(0) + '%'),
      cell(5, { class: 'num' }, s.posts_per_day_7d.toFixed(1))))));
}

// ---- Overview ---------------------------------------------------------------

// The day the Overview is about: today when posts arrived today, else the
// latest day with posts (a stopped crawl or a demo data set must not make the
// page look empty). Returns [anchor, latest, today] as YYYY-MM-DD.
async function dataDays() {
  const today = daysAgo(0);
  const newest = await api('GET', '/api/posts?limit=1');
  const p = newest.items[0];
  const latest = p ? (p.published_at || p.fetched_at || '').slice(0, 10) : '';
  const anchor = latest && latest < today ? latest : today;
  return [anchor, latest, today];
}

function addDays(iso, n) { const d = new Date(iso + 'T00:00:00Z'); d.setUTCDate(d.getUTCDate() + n); return isoDay(d); }

function postsLink(filters, label) {
  return el('a', { href: '#/posts?' + qs({ originals: 1, ...filters }) }, label);
}

async function pageOverview(root, _arg, params) {
  root.appendChild(el('h1', {}, t('nav.overview')));
  const [anchor, latest, today] = await dataDays();
  // The day to report: yesterday when today is under way, else the last day
  // with data.
  const day = anchor === today ? addDays(today, -1) : anchor;
  const span = params.get('days') === '1' ? 1 : 7;
  const tableFrom = addDays(day, 1 - span);
  const [dayT, week, regionT, spikes, sources] = await Promise.all([
    api('GET', '/api/trends?' + qs({ from: day, to: day, by: 'category' })),
    api('GET', '/api/trends?' + qs({ from: addDays(day, -6), to: day, by: 'category' })),
    api('GET', '/api/trends?' + qs({ from: tableFrom, to: day, by: 'category,region' })),
    api('GET', '/api/spikes?' + qs({ from: addDays(anchor, -13), to: anchor })),
    api('GET', '/api/sources'),
  ]);
  const note = el('p', { class: 'muted', id: 'data-up-to' }, t('overview.dataupto') + ' ' + (latest || '—'));
  if (latest && latest < today) {
    note.className = 'notice';
    note.textContent = t('overview.stale').replace('{d}', latest);
  }
  root.appendChild(note);

  const cmp = (title, from, tbl) => el('div', { class: 'card' }, el('h2', {}, title),
    table([t('col.category'), { label: t('col.incidents'), num: true }, { label: t('col.previous'), num: true },
           { label: t('col.change'), num: true }, { label: t('col.volume'), num: true }],
      tbl.totals.filter((x) => x.incidents || x.previous_incidents || x.volume)
        .sort((a, b) => b.incidents - a.incidents || b.previous_incidents - a.previous_incidents).map((x) => el('tr', {},
          el('td', {}, postsLink({ category: x.category, from, to: day }, name('category', x.category))),
          el('td', { class: 'num' }, x.incidents), el('td', { class: 'num' }, x.previous_incidents),
          el('td', { class: 'num' }, pct(x.incidents_change_pct)), el('td', { class: 'num' }, x.volume)))),
    tbl.totals.some((x) => x.incidents || x.previous_incidents || x.volume) ? null : el('p', { class: 'muted' }, t('posts.none')));
  const dayTitle = (day === addDays(today, -1) ? t('overview.yesterday') : t('overview.lastday')) + ', ' + day;
  root.appendChild(el('div', { class: 'grid', id: 'compare' },
    cmp(dayTitle + ' — ' + t('overview.vsday'), day, dayT),
    cmp(addDays(day, -6) + ' … ' + day + ' — ' + t('overview.vsweek'), addDays(day, -6), week)));

  const sp = el('div', { class: 'card', id: 'spikes' },
    el('h2', {}, t('overview.spikes') + ' (' + addDays(anchor, -13) + ' … ' + anchor + ')'));
  if (!spikes.items.length) sp.appendChild(el('p', { class: 'muted' }, t('overview.nospikes')));
  else {
    sp.appendChild(el('p', { class: 'muted' }, t('overview.spikeshint')));
    sp.appendChild(table(
      [t('col.date'), t('col.category'), t('col.region'), { label: t('col.incidents'), num: true },
       { label: t('col.expected'), num: true }, t('col.drivers')],
      spikes.items.map((s) => el('tr', { class: 'spike' },
        el('td', {}, postsLink({ category: s.category, region: s.region, from: s.date, to: s.date }, s.date)),
        el('td', {}, name('category', s.category)), el('td', {}, name('region', s.region)),
        el('td', { class: 'num' }, s.incidents), el('td', { class: 'num' }, Number(s.expected).toFixed(1)),
        el('td', { class: 'drivers' },
          s.terms.slice(0, 4).map((x) => el('span', { class: 'tag' }, x.key)),
          s.sources.slice(0, 2).map((x) => el('span', { class: 'tag src' }, '@' + x.key)),
          s.schools.slice(0, 2).map((x) => el('span', { class: 'tag school' }, '№' + x.key)))))));
  }
  root.appendChild(sp);

  // Region × category: incidents over the report day or the 7 days to it.
  const cells = new Map();
  const cats = new Set();
  const regs = new Map();
  for (const x of regionT.totals) {
    if (!x.incidents) continue;
    cells.set(x.region + '|' + x.category, x.incidents);
    cats.add(x.category);
    regs.set(x.region, (regs.get(x.region) || 0) + x.incidents);
  }
  const catList = CATEGORIES.filter((c) => cats.has(c));
  const regList = [...regs.keys()].sort((a, b) => regs.get(b) - regs.get(a));
  const spanPick = el('select', { name: 'days', 'aria-label': t('overview.table') },
    el('option', { value: '1', selected: span === 1 }, day),
    el('option', { value: '7', selected: span === 7 }, tableFrom === day ? day : addDays(day, -6) + ' … ' + day));
  spanPick.addEventListener('change', () => { location.hash = '#/overview?' + qs({ days: spanPick.value }); });
  root.appendChild(el('div', { class: 'card', id: 'region-table' },
    el('div', { class: 'card-head' }, el('h2', {}, t('overview.table')), spanPick),
    regList.length ? table([t('col.region'), { label: t('col.total'), num: true }, ...catList.map((c) => ({ label: name('category', c), num: true }))],
      regList.map((r) => el('tr', {}, el('td', {}, postsLink({ region: r, from: tableFrom, to: day }, name('region', r))),
        el('td', { class: 'num' }, regs.get(r)),
        catList.map((c) => el('td', { class: 'num' }, cells.get(r + '|' + c)
          ? postsLink({ region: r, category: c, from: tableFrom, to: day }, String(cells.get(r + '|' + c))) : '')))))
      : el('p', { class: 'muted' }, t('posts.none'))));
  root.appendChild(el('div', { class: 'card' }, el('h2', {}, t('overview.sources')), sourceHealthTable(sources.items)));
}

// ---- Trends -----------------------------------------------------------------

async function pageTrends(root, _arg, params, charts) {
  root.appendChild(el('h1', {}, t('nav.trends')));
  const p = {
    from: params.get('from') || daysAgo(29), to: params.get('to') || daysAgo(0),
    bucket: params.get('bucket') || 'day', category: params.get('category') || '',
    region: params.get('region') || '', lang: params.get('lang') || '', source: params.get('source') || '',
    by: params.get('by') || '',
  };
  const form = el('form', { class: 'filters', id: 'trend-filters' },
    el('label', {}, t('filter.from'), el('input', { type: 'date', name: 'from', value: p.from })),
    el('label', {}, t('filter.to'), el('input', { type: 'date', name: 'to', value: p.to })),
    el('label', {}, t('filter.bucket'), select('bucket', ['day', 'week', 'month'].map((b) => [b, t('bucket.' + b)]), p.bucket)),
    el('label', {}, t('filter.category'), select('category', catOptions(), p.category, t('filter.all'))),
    el('label', {}, t('filter.region'), select('region', regionOptions(), p.region, t('filter.all'))),
    el('label', {}, t('filter.lang'), select('lang', ['kk', 'ru', 'mixed'].map((l) => [l, name('lang', l)]), p.lang, t('filter.all'))),
    el('label', {}, t('filter.source'), el('input', { name: 'source', value: p.source, size: 10 })),
    el('label', {}, t('filter.by'), select('by', [['', t('by.none')], ['category', t('by.category')], ['region', t('by.region')]], p.by)),
    el('button', { type: 'submit' }, t('filter.apply')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = '#/trends?' + qs(Object.fromEntries(new FormData(form)));
  });
  root.appendChild(form);
  const data = await api('GET', '/api/trends?' + qs(p));
  const series = new Map();
  const labels = [];
  for (const r of data.rows) {
    const key = r.category || r.region ? name(r.category ? 'category' : 'region', r.category || r.region) : '';
    if (!series.has(key)) series.set(key, []);
    series.get(key).push(r);
    if (!labels.includes(r.bucket)) labels.push(r.bucket);
  }
  const palette = ['#0b6e99', '#c2410c', '#15803d', '#7c3aed', '#b91c1c', '#0f766e', '#a16207', '#be185d', '#4338ca', '#525252'];
  const top = [...series.entries()].sort((a, b) => sum(b[1]) - sum(a[1])).slice(0, 10);
  function sum(rows) { return rows.reduce((n, r) => n + r.volume, 0); }
  const datasets = [];
  top.forEach(([key, rows], i) => {
    const color = palette[i % palette.length];
    datasets.push({ label: (key ? key + ' — ' : '') + t('trends.incidents'), data: rows.map((r) => r.incidents),
                    borderColor: color, backgroundColor: color, tension: 0.2 });
    datasets.push({ label: (key ? key + ' — ' : '') + t('trends.volume'), data: rows.map((r) => r.volume),
                    borderColor: color, backgroundColor: color, borderDash: [5, 4], tension: 0.2 });
  });
  const canvas = el('canvas', { id: 'trend-chart', 'aria-label': t('nav.trends') });
  root.appendChild(el('div', { class: 'card' }, el('div', { class: 'chart-box' }, canvas)));
  if (window.Chart) {
    charts.push(new Chart(canvas, {
      type: 'line', data: { labels, datasets },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
                 scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    }));
  }
  root.appendChild(el('div', { class: 'card', id: 'trend-totals' }, table(
    [t('col.category') + ' / ' + t('col.region'), { label: t('col.incidents'), num: true }, { label: t('col.volume'), num: true },
     { label: t('col.previous'), num: true }, { label: t('col.change'), num: true }],
    data.totals.map((x) => el('tr', {},
      el('td', {}, x.category || x.region ? [name('category', x.category), x.region ? ' · ' + name('region', x.region) : ''].join('') : t('col.total')),
      el('td', { class: 'num' }, x.incidents), el('td', { class: 'num' }, x.volume),
      el('td', { class: 'num' }, x.previous_incidents), el('td', { class: 'num' }, pct(x.incidents_change_pct)))))));
}

// ---- Posts ------------------------------------------------------------------

// Splits `text` at the byte offsets of `matches` (offsets are bytes of the
// UTF-8 text; JS strings are UTF-16, so slice the encoded bytes) and returns
// text nodes and <mark> elements.
function highlighted(text, matches) {
  const bytes = new TextEncoder().encode(text);
  const dec = new TextDecoder();
  const spans = (matches || [])
    .map((m) => [Math.max(0, m.start), Math.min(bytes.length, m.end), m])
    .filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
  const out = [];
  let pos = 0;
  for (const [s, e, m] of spans) {
    if (s < pos) continue;  // overlapping: keep the first
    if (s > pos) out.push(document.createTextNode(dec.decode(bytes.subarray(pos, s))));
    out.push(el('mark', { title: m.rule + ' · ' + name('category', m.category) }, dec.decode(bytes.subarray(s, e))));
    pos = e;
  }
  if (pos < bytes.length) out.push(document.createTextNode(dec.decode(bytes.subarray(pos))));
  return out;
}

// "+3 copies: a, b" under a post; a click unfolds the incident's other posts.
function copiesToggle(p) {
  const box = el('div', { class: 'dup' });
  const list = el('ul', { class: 'copies', hidden: true });
  const btn = el('button', { type: 'button', class: 'linkish', 'aria-expanded': 'false' },
    '+' + (p.incident_size - 1) + ' ' + t('posts.copies') + ': ' + (p.incident_sources || []).join(', '));
  btn.addEventListener('click', async () => {
    const open = list.hidden;
    list.hidden = !open;
    btn.setAttribute('aria-expanded', String(open));
    if (!open || list.children.length) return;
    try {
      const d = await api('GET', '/api/posts/' + encodeURIComponent(p.id));
      for (const m of (d.incident && d.incident.members) || []) {
        if (m.id === p.id) continue;
        list.appendChild(el('li', {}, el('a', { href: '#/post/' + encodeURIComponent(m.id) }, fmtTime(m.published_at)),
          ' · ' + m.source + (m.id === d.incident.first_post ? ' · ' + t('post.firstseen') : '')));
      }
    } catch (e) { list.appendChild(el('li', {}, errorBox(e))); }
  });
  box.append(btn, list);
  return box;
}

function postCard(p, withLink) {
  const tags = [...p.categories.map((c) => el('span', { class: 'tag' }, name('category', c))),
                p.severity !== 'none' ? el('span', { class: 'tag' + (p.severity === 'high' ? ' sev-high' : '') }, name('severity', p.severity)) : null];
  return el('article', { class: 'post', 'data-id': p.id },
    el('div', { class: 'meta' },
      el('span', {}, fmtTime(p.published_at)), el('span', {}, p.source), el('span', {}, name('region', p.region)),
      p.school_number ? el('span', {}, '№' + p.school_number) : null,
      el('span', {}, name('lang', p.lang)), el('span', { class: 'review' }, name('review', p.review)),
      p.author ? el('span', {}, p.author) : null),
    el('div', {}, tags),
    el('div', { class: 'text' }, highlighted(p.text, p.matches)),
    p.incident_size > 1 ? copiesToggle(p) : null,
    withLink ? el('a', { href: '#/post/' + encodeURIComponent(p.id), class: 'open' }, t('posts.open')) : null);
}

async function pagePosts(root, _arg, params) {
  root.appendChild(el('h1', {}, t('nav.posts')));
  const p = {
    from: params.get('from') || '', to: params.get('to') || '', category: params.get('category') || '',
    region: params.get('region') || '', review: params.get('review') || '', severity: params.get('severity') || '',
    source: params.get('source') || '', originals: params.get('originals') || '1', complaints: '1',
  };
  const form = el('form', { class: 'filters', id: 'post-filters' },
    el('label', {}, t('filter.from'), el('input', { type: 'date', name: 'from', value: p.from })),
    el('label', {}, t('filter.to'), el('input', { type: 'date', name: 'to', value: p.to })),
    el('label', {}, t('filter.category'), select('category', catOptions(), p.category, t('filter.all'))),
    el('label', {}, t('filter.region'), select('region', regionOptions(), p.region, t('filter.all'))),
    el('label', {}, t('filter.review'), select('review', REVIEWS.map((r) => [r, name('review', r)]), p.review, t('filter.all'))),
    el('label', {}, t('filter.severity'), select('severity', ['high', 'medium', 'low'].map((s) => [s, name('severity', s)]), p.severity, t('filter.all'))),
    el('label', {}, t('filter.source'), el('input', { name: 'source', value: p.source, size: 10 })),
    el('label', {}, t('filter.originals'), select('originals', [['1', '✓'], ['0', '—']], p.originals)),
    el('button', { type: 'submit' }, t('filter.apply')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = '#/posts?' + qs(Object.fromEntries(new FormData(form)));
  });
  root.appendChild(form);
  const list = el('div', { id: 'post-list' });
  root.appendChild(list);
  const more = el('button', { type: 'button', class: 'secondary', hidden: true }, t('posts.more'));
  root.appendChild(more);
  let cursor = '';
  async function load() {
    const q = { ...p, originals: p.originals === '1' ? 1 : '', limit: 30, cursor };
    const data = await api('GET', '/api/posts?' + qs(q));
    for (const post of data.items) list.appendChild(postCard(post, true));
    if (!list.children.length) list.appendChild(el('p', { class: 'muted' }, t('posts.none')));
    cursor = data.next_cursor;
    more.hidden = !cursor;
  }
  more.addEventListener('click', () => load().catch((e) => root.appendChild(errorBox(e))));
  await load();
}

async function pagePost(root, id, params) {
  root.appendChild(el('a', { href: '#/posts' }, t('post.back')));
  const unmask = params.get('unmask') === '1';
  const data = await api('GET', '/api/posts/' + encodeURIComponent(id) + (unmask ? '?unmask=1' : ''));
  const p = data.post;
  root.appendChild(el('h1', {}, name('category', p.categories[0]) + ' · ' + name('region', p.region)));
  root.appendChild(postCard(p, false));
  if (data.masked && state.role === 'admin') {
    root.appendChild(el('p', { class: 'muted' }, t('post.masked') + ' · ',
      el('a', { href: '#/post/' + encodeURIComponent(id) + '?unmask=1', id: 'unmask' }, t('post.unmask'))));
  }
  if (ROLE_RANK[state.role] >= ROLE_RANK.analyst) {
    const note = el('input', { name: 'note', placeholder: t('post.note'), size: 40, maxlength: 4000 });
    const status = el('span', { class: 'ok', role: 'status' });
    const buttons = REVIEWS.map((r) => el('button', {
      type: 'button', class: r === p.review ? '' : 'secondary', 'data-review': r,
      onclick: async () => {
        status.textContent = '';
        try {
          await api('POST', '/api/posts/' + encodeURIComponent(id) + '/review', { status: r, note: note.value });
          status.textContent = t('post.saved');
          route();
        } catch (e) { status.replaceChildren(errorBox(e)); }
      },
    }, name('review', r)));
    root.appendChild(el('div', { class: 'card' }, el('div', { class: 'review-buttons' }, buttons), note, status));
  }
  if (data.incident) {
    const i = data.incident;
    root.appendChild(el('div', { class: 'card', id: 'incident' }, el('h2', {}, t('post.incident') + ' · ' + i.size),
      el('p', {}, t('post.first') + ': ' + i.first_source + ' · ' + fmtTime(i.first_seen)),
      i.size > 1 ? table([t('col.date'), t('col.source'), ''], (i.members || []).map((m) => el('tr', { class: m.id === p.id ? 'current' : null },
        el('td', {}, m.id === p.id ? fmtTime(m.published_at) : el('a', { href: '#/post/' + encodeURIComponent(m.id) }, fmtTime(m.published_at))),
        el('td', {}, m.source),
        el('td', {}, el('a', { href: m.url, rel: 'noopener noreferrer nofollow', target: '_blank' }, t('post.original')))))) : null));
  }
  const ev = data.evidence;
  const evBox = el('div', { class: 'card', id: 'evidence' }, el('h2', {}, t('post.evidence')),
    el('p', {}, el('a', { href: ev.url, rel: 'noopener noreferrer nofollow', target: '_blank' }, ev.url)),
    el('p', { class: 'muted' }, fmtTime(ev.fetched_at) + (ev.forwarded_from ? ' · ' + ev.forwarded_from : '')),
    ev.title ? el('p', {}, ev.title) : null);
  if (ev.id) {
    // The stored page in a sandboxed frame: no scripts, no requests out (the
    // server's answer carries a CSP sandbox too).
    const src = '/api/posts/' + encodeURIComponent(id) + '/evidence' + (unmask ? '?unmask=1' : '');
    evBox.appendChild(el('p', { class: 'muted' }, t('post.evidencenote') + ' · ',
      el('a', { href: src + (unmask ? '&' : '?') + 'format=text', target: '_blank', rel: 'noopener', id: 'evidence-text' }, t('post.evidencetext'))));
    evBox.appendChild(el('iframe', { class: 'evidence', src, sandbox: '', referrerpolicy: 'no-referrer', title: t('post.evidence') }));
  } else {
    evBox.appendChild(el('p', { class: 'muted' }, t('post.noevidence')));
  }
  root.appendChild(evBox);
  root.appendChild(el('div', { class: 'card' }, el('h2', {}, t('post.history')),
    table([t('col.date'), t('col.status'), t('post.note')], data.history.map((h) => el('tr', {},
      el('td', {}, fmtTime(h.at) + ' · ' + h.user), el('td', {}, name('review', h.from) + ' → ' + name('review', h.to)),
      el('td', {}, h.note))))));
}

// ---- Sources ----------------------------------------------------------------

async function pageSources(root) {
  root.appendChild(el('h1', {}, t('sources.title')));
  const data = await api('GET', '/api/sources');
  root.appendChild(el('div', { class: 'card' }, sourceHealthTable(data.items)));
}

// ---- Export -----------------------------------------------------------------

async function pageExport(root) {
  root.appendChild(el('h1', {}, t('export.title')));
  const form = el('form', { class: 'filters', id: 'export-form' },
    el('label', {}, t('filter.format'), select('format', [['csv', 'CSV'], ['jsonl', 'JSON Lines']], 'csv')),
    el('label', {}, t('filter.from'), el('input', { type: 'date', name: 'from', value: daysAgo(29) })),
    el('label', {}, t('filter.to'), el('input', { type: 'date', name: 'to', value: daysAgo(0) })),
    el('label', {}, t('filter.category'), select('category', catOptions(), '', t('filter.all'))),
    el('label', {}, t('filter.region'), select('region', regionOptions(), '', t('filter.all'))),
    el('button', { type: 'submit' }, t('export.download')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    // A plain link: the browser streams the download with the session cookie.
    const a = el('a', { href: '/api/export?' + qs(Object.fromEntries(new FormData(form))), download: '' });
    document.body.appendChild(a); a.click(); a.remove();
  });
  root.appendChild(form);
}

// ---- Rules ------------------------------------------------------------------

async function pageRules(root) {
  root.appendChild(el('h1', {}, t('nav.rules')));
  const data = await api('GET', '/api/rules');
  const files = data.files;
  const picker = select('file', files.map((f) => [f.name, f.name]), files.length ? files[0].name : '');
  const editor = el('textarea', { class: 'rule', name: 'rule-text', spellcheck: 'false' });
  const errors = el('div', { class: 'error', id: 'rule-errors', role: 'alert' });
  const saved = el('span', { class: 'ok', role: 'status', id: 'rule-saved' });
  const showFile = () => { const f = files.find((x) => x.name === picker.value); editor.value = f ? f.text : ''; errors.textContent = ''; };
  picker.addEventListener('change', showFile);
  showFile();
  const showErrors = (e) => {
    errors.replaceChildren();
    const list = (e.data && e.data.errors && e.data.errors.length) ? e.data.errors.map((x) => x.message) : [e.message];
    for (const m of list) errors.appendChild(el('div', {}, m));
  };
  const save = el('button', { type: 'button', id: 'rule-save', onclick: async () => {
    saved.textContent = ''; errors.replaceChildren();
    try {
      await api('PUT', '/api/rules/' + encodeURIComponent(picker.value), { text: editor.value });
      const f = files.find((x) => x.name === picker.value); if (f) f.text = editor.value;
      saved.textContent = t('rules.saved');
    } catch (e) { showErrors(e); }
  } }, t('rules.save'));
  const btResult = el('div', { id: 'backtest-result' });
  const backtest = el('button', { type: 'button', class: 'secondary', id: 'rule-backtest', onclick: async () => {
    errors.replaceChildren();
    // A back-test classifies every stored post twice: say it is running.
    btResult.replaceChildren(el('p', { class: 'muted', 'aria-busy': 'true' }, '…'));
    backtest.disabled = true;
    try {
      const r = await api('POST', '/api/rules/backtest', { file: picker.value, text: editor.value });
      btResult.replaceChildren();
      btResult.appendChild(el('p', { id: 'backtest-summary' }, t('rules.scanned') + ': ' + r.posts_scanned + ' · ' +
        t('rules.added') + ': ' + r.added + ' · ' + t('rules.dropped') + ': ' + r.dropped + ' · ' +
        t('rules.changed') + ': ' + (r.changed || 0)));
      const num = (v) => el('td', { class: 'num' }, v);
      if (r.categories && r.categories.length) {
        btResult.appendChild(table([t('col.category'), { label: t('rules.before'), num: true },
          { label: t('rules.after'), num: true }, { label: t('rules.added'), num: true }, { label: t('rules.dropped'), num: true }],
          r.categories.map((c) => el('tr', {}, el('td', {}, name('category', c.category)), num(c.before), num(c.after),
            num(c.added), num(c.dropped)))));
      }
      const moved = (r.rules || []).filter((x) => x.before !== x.after);
      if (moved.length) {
        btResult.appendChild(table([t('col.rule'), { label: t('rules.before'), num: true }, { label: t('rules.after'), num: true }],
          moved.map((x) => el('tr', {}, el('td', {}, x.rule), num(x.before), num(x.after)))));
      }
      btResult.appendChild(table(['id', t('rules.text'), '−', '+'], r.examples.map((x) => el('tr', {},
        el('td', {}, el('a', { href: '#/post/' + encodeURIComponent(x.id) }, x.id)), el('td', {}, x.text.slice(0, 200)),
        el('td', {}, x.before.map((c) => name('category', c)).join(', ')),
        el('td', {}, x.after.map((c) => name('category', c)).join(', '))))));
    } catch (e) { btResult.replaceChildren(); showErrors(e); }
    backtest.disabled = false;
  } }, t('rules.backtest'));
  root.appendChild(el('div', { class: 'card' }, el('h2', {}, t('rules.files')),
    el('div', { class: 'filters' }, picker, save, backtest, saved), editor, errors, btResult));

  const sample = el('textarea', { name: 'test-text', rows: 3, style: null });
  sample.className = 'rule'; sample.style.minHeight = '5rem';
  const testOut = el('div', { id: 'rule-test-result' });
  const testBtn = el('button', { type: 'button', id: 'rule-test', onclick: async () => {
    testOut.replaceChildren();
    try {
      const r = await api('POST', '/api/rules/test', { text: sample.value });
      testOut.appendChild(el('div', { class: 'post' },
        el('div', {}, r.categories.length ? r.categories.map((c) => el('span', { class: 'tag' }, name('category', c))) : t('rules.nomatch'),
          ' ', name('severity', r.severity), ' · ', name('region', r.region), ' · ', name('lang', r.lang)),
        el('div', { class: 'text' }, highlighted(r.text, r.matches)),
        el('ul', {}, r.matches.map((m) => el('li', {}, m.rule + ' [' + m.start + ', ' + m.end + ')')))));
    } catch (e) { testOut.appendChild(errorBox(e)); }
  } }, t('rules.run'));
  root.appendChild(el('div', { class: 'card' }, el('h2', {}, t('rules.test')), sample, testBtn, testOut));

  root.appendChild(el('div', { class: 'card' }, el('h2', {}, t('rules.stats')),
    table([t('col.rule'), { label: t('col.hits'), num: true }, { label: name('review', 'confirmed'), num: true },
           { label: name('review', 'false_positive'), num: true }, { label: t('col.precision'), num: true }],
      data.stats.map((s) => el('tr', {}, el('td', {}, s.rule), el('td', { class: 'num' }, s.hits),
        el('td', { class: 'num' }, s.confirmed), el('td', { class: 'num' }, s.false_positive),
        el('td', { class: 'num' }, s.precision === null ? '—' : (100 * s.precision).toFixed(0) + '%'))))));
}

// ---- Start ------------------------------------------------------------------

async function start() {
  const saved = localStorage.getItem('shagym.lang');
  if (LANGS.includes(saved)) state.lang = saved;
  applyLang();
  document.getElementById('lang').addEventListener('change', (ev) => {
    state.lang = ev.target.value;
    localStorage.setItem('shagym.lang', state.lang);
    applyLang();
    route();
  });
  document.getElementById('login-form').addEventListener('submit', doLogin);
  document.getElementById('logout').addEventListener('click', async () => {
    try { await api('POST', '/api/logout', {}); } catch (e) { /* already out */ }
    showLogin();
  });
  window.addEventListener('hashchange', route);
  try {
    loggedIn(await api('GET', '/api/me'));
  } catch (e) {
    showLogin();
  }
}

start();
