// The auditflow console. Plain JavaScript, no dependencies, no inline script (the page's CSP
// forbids it). Everything shown comes from the same HTTP API scripts use, and every value is put
// into the page as text (textContent), never as HTML: event data is attacker-controlled.
'use strict';

(() => {
  const state = {
    session: null, cursor: null, filters: null, total: 0, pageStart: 1, pageSize: 0,
    tailSince: null, tailSeen: new Set(), health: null,
  };

  // ---- small helpers ------------------------------------------------------------------------

  const $ = (selector) => document.querySelector(selector);

  /** An element with text children only: strings become text nodes, never markup. */
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (name === 'class') node.className = value;
      else if (name === 'dataset') Object.assign(node.dataset, value);
      else node.setAttribute(name, value);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** A problem answer: its detail, and the first field it names. */
  class ApiError extends Error {
    constructor(status, problem) {
      const first = problem && problem.errors && problem.errors[0];
      super((problem && problem.detail ? problem.detail : 'HTTP ' + status)
        + (first ? ' (' + first.field + ': ' + first.message + ')' : ''));
      this.status = status;
    }
  }

  /** A copy of the query parameters with one more. */
  function withParam(params, name, value) {
    const copy = new URLSearchParams(params);
    copy.set(name, value);
    return copy;
  }

  /** Calls the API with the session cookie; state-changing calls carry the CSRF token. */
  async function api(path, options = {}) {
    const headers = Object.assign({ Accept: 'application/json' }, options.headers || {});
    const method = options.method || 'GET';
    if (method !== 'GET' && state.session && state.session.csrf_token) {
      headers['X-CSRF-Token'] = state.session.csrf_token;
    }
    if (options.json !== undefined) headers['Content-Type'] = 'application/json';
    const send = () => fetch(path, {
      method, headers, credentials: 'same-origin',
      body: options.json !== undefined ? JSON.stringify(options.json) : undefined,
    });
    let response = await send();
    if (response.status === 429 && !options.signingIn) {
      // This principal runs as many requests as it may (a burst of clicks): wait as told, once.
      const seconds = Math.min(5, Number(response.headers.get('Retry-After')) || 1);
      await new Promise((resolve) => { setTimeout(resolve, seconds * 1000); });
      response = await send();
    }
    if (response.status === 401 && !options.signingIn) {
      showSignIn('Your session has ended; sign in again.');
      throw new ApiError(401, null);
    }
    if (response.status === 204) return null;
    const type = response.headers.get('Content-Type') || '';
    const body = type.includes('json') ? await response.json() : await response.text();
    if (!response.ok) throw new ApiError(response.status, body);
    return body;
  }

  function hasRole(role) {
    return state.session && state.session.roles.includes(role);
  }

  /**
   * An RFC 3339 UTC timestamp as the reader's local time with its zone, to the millisecond (the
   * full microsecond UTC value stays in the element's title).
   */
  function localTime(utc) {
    const d = new Date(utc);
    if (Number.isNaN(d.getTime())) return utc;
    const pad = (n, w = 2) => String(n).padStart(w, '0');
    const offset = -d.getTimezoneOffset();
    const zone = (offset >= 0 ? '+' : '-') + pad(Math.floor(Math.abs(offset) / 60)) + ':' + pad(Math.abs(offset) % 60);
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' + pad(d.getHours()) + ':'
      + pad(d.getMinutes()) + ':' + pad(d.getSeconds()) + '.' + pad(d.getMilliseconds(), 3) + ' ' + zone;
  }

  /** A time cell: local time shown, the stored UTC value on hover. */
  function timeCell(utc) {
    return el('td', { class: 'mono time', title: utc, dataset: { utc } }, localTime(utc));
  }

  function formatGap(ms) {
    if (ms < 1000) return ms + ' ms';
    if (ms < 60000) return (ms / 1000).toFixed(1) + ' s';
    if (ms < 3600000) return (ms / 60000).toFixed(1) + ' min';
    return (ms / 3600000).toFixed(1) + ' h';
  }

  // ---- sign-in ------------------------------------------------------------------------------

  function showSignIn(message) {
    $('#signin').hidden = false;
    $('#nav').hidden = true;
    $('#who').hidden = true;
    document.querySelectorAll('.view').forEach((v) => { v.hidden = true; });
    $('#signin-error').textContent = message || '';
    tail.stop();
    health.stop();
  }

  function showApp(session) {
    state.session = session;
    $('#signin').hidden = true;
    $('#nav').hidden = false;
    $('#who').hidden = false;
    $('#principal').textContent = session.principal;
    $('#roles').textContent = '(' + session.roles.join(', ') + ')';
    $('#signout').hidden = session.auth === 'none';
    route(location.hash);
  }

  async function start() {
    try {
      const response = await fetch('/ui/session', { credentials: 'same-origin' });
      const session = response.ok ? await response.json() : null;
      if (session && session.principal) showApp(session);
      else showSignIn('');
    } catch (e) {
      showSignIn('The server cannot be reached: ' + e.message);
    }
  }

  $('#signin-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const session = await api('/ui/session', { method: 'POST', json: { token: $('#token').value }, signingIn: true });
      $('#token').value = '';
      showApp(session);
    } catch (e) {
      $('#signin-error').textContent = 'Not signed in: ' + e.message;
    }
  });

  $('#signout').addEventListener('click', async () => {
    try { await api('/ui/session', { method: 'DELETE' }); } catch (e) { /* signed out either way */ }
    state.session = null;
    showSignIn('Signed out.');
  });

  // ---- views --------------------------------------------------------------------------------

  /**
   * Every view's state is in the address, so that it can be bookmarked, shared and reloaded:
   * #search?<the query>, #trail/<correlation id>, #tail, #health, #completeness.
   */
  function setHash(hash) {
    if (location.hash !== hash) history.replaceState(null, '', hash);
  }

  function route(hash) {
    if (!state.session) return;
    if (hash.startsWith('#trail/')) {
      const correlationId = decodeURIComponent(hash.slice('#trail/'.length));
      $('#trail-correlation').value = correlationId;
      show('trail');
      if (correlationId) trail(correlationId);
    } else if (hash === '#tail' || hash === '#health') {
      show(hash.slice(1));
    } else if (hash === '#completeness') {
      show('completeness');
      completeness();
    } else {
      const params = new URLSearchParams(hash.startsWith('#search?') ? hash.slice('#search?'.length) : '');
      const form = $('#search-form');
      for (const name of FILTERS) form.elements[name].value = params.get(name) || '';
      form.elements.order.value = params.get('order') === 'asc' ? 'asc' : 'desc';
      $('#show-own').checked = params.get('own') === 'shown';
      show('search');
      search(null);
    }
  }

  window.addEventListener('hashchange', () => route(location.hash));

  function show(view) {
    if (view === 'tail' || view === 'health' || view === 'completeness') setHash('#' + view);
    else if (view === 'trail' && !location.hash.startsWith('#trail/')) setHash('#trail/');
    else if (view === 'search' && !location.hash.startsWith('#search')) setHash('#search?');
    document.querySelectorAll('.view').forEach((v) => { v.hidden = v.id !== 'view-' + view; });
    document.querySelectorAll('#nav button').forEach((b) => b.classList.toggle('active', b.dataset.view === view));
    if (view === 'tail') tail.start(); else tail.stop();
    if (view === 'health') health.start(); else health.stop();
    if (view === 'completeness') completeness();
  }

  document.querySelectorAll('#nav button').forEach((button) => {
    button.addEventListener('click', () => show(button.dataset.view));
  });

  // ---- search -------------------------------------------------------------------------------

  const FILTERS = ['since', 'until', 'event_category', 'event_type', 'event_outcome', 'severity', 'actor_id',
    'resource_type', 'resource_id', 'correlation_id', 'producer_epoch', 'producer_seq_from', 'producer_seq_to'];

  /** The category of the server's own records (access to the trail, legal holds, purges). */
  const OWN_CATEGORY = 'auditflow';

  /**
   * The form's filters as query parameters — and, unless "show the server's own records" is ticked
   * (or that category is asked for by name), exclude_category so that a search shows what was
   * stored by others, not the console's own reads of it.
   */
  function currentFilters() {
    const form = $('#search-form');
    const params = new URLSearchParams();
    for (const name of FILTERS) {
      const value = form.elements[name].value.trim();
      if (value) params.set(name, value);
    }
    if (!$('#show-own').checked && params.get('event_category') !== OWN_CATEGORY) {
      params.set('exclude_category', OWN_CATEGORY);
    }
    return params;
  }

  /** The filters in words, for the live tail. */
  function describeFilters(params) {
    const parts = [];
    for (const [name, value] of params) {
      if (name !== 'exclude_category') parts.push(name + '=' + value);
    }
    const own = params.has('exclude_category') ? 'the server\'s own records hidden' : 'the server\'s own records shown';
    return (parts.length ? 'Filtered by the search: ' + parts.join(', ') : 'No search filters: all events')
      + ' (' + own + ').';
  }

  document.querySelectorAll('.quick button').forEach((button) => {
    button.addEventListener('click', () => {
      $('#search-form').elements.since.value = button.dataset.since;
      $('#search-form').elements.until.value = '';
      search(null);
    });
  });

  $('#search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    search(null);
  });
  $('#next-page').addEventListener('click', () => search(state.cursor));
  $('#first-page').addEventListener('click', () => search(null));

  /** The latest search asked for: an answer to an earlier one, arriving later, is dropped. */
  let latestSearch = 0;

  async function search(cursor) {
    const asked = ++latestSearch;
    const filters = currentFilters();
    state.filters = filters;
    const query = new URLSearchParams(filters);
    query.set('limit', '100');
    query.set('order', $('#search-form').elements.order.value);
    if (cursor) query.set('cursor', cursor);
    $('#search-error').textContent = '';
    if (!cursor) {
      const address = new URLSearchParams(filters);
      address.delete('exclude_category');
      address.set('order', query.get('order'));
      if ($('#show-own').checked) address.set('own', 'shown');
      setHash('#search?' + address);
    }
    const started = performance.now();
    try {
      const [page, count, histogram] = await Promise.all([
        api('/api/v1/audit/events?' + query),
        cursor ? Promise.resolve(null) : api('/api/v1/audit/events/count?' + filters),
        cursor ? Promise.resolve(null) : api('/api/v1/audit/events/histogram?' + withParam(filters, 'buckets', '60')),
      ]);
      if (asked !== latestSearch) return;
      if (histogram) renderHistogram(histogram);
      renderResults(page.data);
      if (count) state.total = count.count;
      state.cursor = page.pagination.next_cursor;
      state.pageStart = cursor ? state.pageStart + state.pageSize : 1;
      state.pageSize = page.data.length;
      const last = state.pageStart + page.data.length - 1;
      $('#search-count').textContent = page.data.length === 0 ? 'no events match'
        : 'events ' + state.pageStart + '–' + last + ' of ' + state.total;
      $('#search-count').dataset.total = String(state.total);
      $('#next-page').disabled = !page.pagination.has_more;
      $('#first-page').disabled = !cursor;
      renderLinks(filters, query);
      document.body.dataset.searchMillis = String(Math.round(performance.now() - started));
    } catch (e) {
      if (e.status !== 401 && asked === latestSearch) $('#search-error').textContent = e.message;
    }
  }

  function renderResults(events) {
    const body = $('#results tbody');
    body.replaceChildren(...events.map((e) => el('tr', { class: 'event-row outcome-' + e.event_outcome,
      dataset: { eventId: e.event_id } },
      timeCell(e.event_timestamp),
      el('td', {}, e.event_type),
      el('td', {}, e.event_category),
      el('td', {}, e.event_outcome),
      el('td', {}, e.severity || ''),
      el('td', {}, e.actor_id || ''),
      el('td', {}, [e.resource_type, e.resource_id].filter(Boolean).join('/')),
      el('td', {}, trailLink(e.correlation_id)))));
  }

  /** A link to a correlation's trail: an address of its own (#trail/<id>), opened by the router. */
  function trailLink(correlationId) {
    return el('a', { class: 'trail-link', href: '#trail/' + encodeURIComponent(correlationId) }, correlationId);
  }

  const SVG = 'http://www.w3.org/2000/svg';

  /**
   * Events over time above the results, stacked by outcome — drawn here as SVG elements, from
   * GET /api/v1/audit/events/histogram: a burst or a silence shows before a row is read.
   */
  function renderHistogram(h) {
    const width = 600;
    const height = 80;
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    svg.setAttribute('preserveAspectRatio', 'none');
    const max = Math.max(1, ...h.buckets.map((b) => b.success + b.failure + b.pending));
    const barWidth = width / h.buckets.length;
    let total = 0;
    h.buckets.forEach((b, i) => {
      let y = height;
      for (const [outcome, colour] of [['success', '#2f855a'], ['failure', '#c53030'], ['pending', '#8a93a6']]) {
        if (b[outcome] === 0) continue;
        const barHeight = (b[outcome] / max) * height;
        y -= barHeight;
        const rect = document.createElementNS(SVG, 'rect');
        rect.setAttribute('x', String(i * barWidth));
        rect.setAttribute('y', String(y));
        rect.setAttribute('width', String(Math.max(1, barWidth - 1)));
        rect.setAttribute('height', String(barHeight));
        rect.setAttribute('fill', colour);
        rect.setAttribute('class', 'bar bar-' + outcome);
        rect.dataset.count = String(b[outcome]);
        const title = document.createElementNS(SVG, 'title');
        title.textContent = localTime(b.start) + ': ' + b[outcome] + ' ' + outcome;
        rect.append(title);
        svg.append(rect);
      }
      total += b.success + b.failure + b.pending;
    });
    svg.dataset.total = String(total);
    const seconds = h.bucket_seconds;
    const span = seconds < 60 ? seconds + ' s' : seconds < 3600 ? Math.round(seconds / 60) + ' min'
      : Math.round(seconds / 360) / 10 + ' h';
    $('#histogram').replaceChildren(svg,
      el('div', { class: 'axis' }, el('span', {}, localTime(h.since)),
        el('span', { class: 'legend' }, el('span', { class: 'swatch-success' }, '■ success'),
          el('span', { class: 'swatch-failure' }, '■ failure'), el('span', { class: 'swatch-pending' }, '■ pending'),
          'one bar per ' + span),
        el('span', {}, localTime(h.until))));
  }

  /** The signed export of this filter (auditors), and the API call that repeats the search. */
  function renderLinks(filters, query) {
    const exportLink = $('#export-link');
    exportLink.hidden = !hasRole('auditor');
    const exportQuery = new URLSearchParams({ format: 'ndjson' });
    if (filters.get('correlation_id')) exportQuery.set('correlation_id', filters.get('correlation_id'));
    if (filters.get('event_category')) exportQuery.set('event_category', filters.get('event_category'));
    exportLink.href = '/api/v1/audit/export?' + exportQuery;
    $('#api-call').textContent = 'curl -H "Authorization: Bearer $AUDITFLOW_TOKEN" \''
      + location.origin + '/api/v1/audit/events?' + query + '\'';
  }

  // ---- a correlation's trail ----------------------------------------------------------------

  $('#trail-form').addEventListener('submit', (event) => {
    event.preventDefault();
    trail($('#trail-correlation').value.trim());
  });

  let latestTrail = 0;

  async function trail(correlationId) {
    const asked = ++latestTrail;
    setHash('#trail/' + encodeURIComponent(correlationId));
    const status = $('#chain-status');
    status.textContent = 'loading…';
    status.className = '';
    $('#timeline').replaceChildren();
    try {
      const events = [];
      let cursor = null;
      do {
        const query = new URLSearchParams({ correlation_id: correlationId, order: 'asc', limit: '1000' });
        if (cursor) query.set('cursor', cursor);
        const page = await api('/api/v1/audit/events?' + query);
        events.push(...page.data);
        cursor = page.pagination.next_cursor;
      } while (cursor && events.length < 10000);
      events.sort((a, b) => (a.chain_position || 0) - (b.chain_position || 0));
      if (asked !== latestTrail) return;
      renderTimeline(events);
      const verdict = await api('/api/v1/audit/verify', { method: 'POST', json: { correlation_id: correlationId } });
      if (asked !== latestTrail) return;
      renderChainStatus(verdict, events);
    } catch (e) {
      if (e.status !== 401) {
        status.textContent = e.message;
        status.className = 'error';
      }
    }
  }

  function renderChainStatus(verdict, events) {
    const status = $('#chain-status');
    const first = events.length ? events[0].chain_position : 1;
    const purged = first > 1 ? ' (positions 1–' + (first - 1) + ' purged by retention)' : '';
    if (verdict.verified) {
      status.textContent = 'Chain verified: ' + verdict.events_checked + ' events' + purged;
      status.className = 'ok';
    } else {
      const b = verdict.first_break;
      status.textContent = 'Chain BROKEN at position ' + b.position + ': ' + b.reason + ' — ' + b.detail;
      status.className = 'bad';
    }
    status.dataset.verified = String(verdict.verified);
  }

  /** Events in chain order; an event whose parent is in the trail is nested under it. */
  function renderTimeline(events) {
    const byId = new Map(events.map((e) => [e.event_id, e]));
    const children = new Map();
    const roots = [];
    for (const e of events) {
      if (e.parent_event_id && byId.has(e.parent_event_id)) {
        if (!children.has(e.parent_event_id)) children.set(e.parent_event_id, []);
        children.get(e.parent_event_id).push(e);
      } else {
        roots.push(e);
      }
    }
    let previous = null;
    const render = (e) => {
      const item = el('li', { class: 'timeline-event', dataset: { eventId: e.event_id } });
      const at = Date.parse(e.event_timestamp);
      if (previous !== null) item.append(el('div', { class: 'gap' }, '+' + formatGap(at - previous)));
      previous = at;
      const summary = el('div', { class: 'event-summary' },
        el('span', { class: 'mono', title: e.event_timestamp }, '#' + e.chain_position + ' ' + localTime(e.event_timestamp) + ' '),
        el('strong', {}, e.event_type), ' ',
        el('span', { class: 'outcome-' + e.event_outcome }, e.event_outcome),
        e.actor_id ? ' by ' + e.actor_id : '',
        el('span', { class: 'log-status' }, e.log_index !== undefined
          ? 'in the verifiable log, leaf ' + e.log_index : 'not yet in the verifiable log'));
      const details = el('pre', { class: 'event-data', hidden: '' }, JSON.stringify(e, null, 2));
      summary.addEventListener('click', () => { details.hidden = !details.hidden; });
      item.append(summary, details);
      const kids = children.get(e.event_id);
      if (kids) item.append(el('ol', {}, ...kids.map(render)));
      return item;
    };
    $('#timeline').replaceChildren(...roots.map(render));
  }

  // ---- live tail ----------------------------------------------------------------------------

  const TAIL_MAX = 200;

  $('#tail-toggle').addEventListener('click', () => {
    if (tail.running()) {
      tail.stop();
      $('#tail-toggle').textContent = 'Resume';
      $('#tail-state').textContent = 'paused';
    } else {
      tail.start();
    }
  });

  /** A task run now and then every {@code ms} until stopped; starting it twice runs it once. */
  function poller(task, ms, onStart) {
    let timer = null;
    return {
      start() {
        if (timer) return;
        if (onStart) onStart();
        task();
        timer = setInterval(task, ms);
      },
      stop() {
        if (timer) clearInterval(timer);
        timer = null;
      },
      running: () => timer !== null,
    };
  }

  const tail = poller(() => pollTail(), 2000, () => {
    $('#tail-toggle').textContent = 'Pause';
    $('#tail-state').textContent = 'live';
    if (!state.tailSince) state.tailSince = new Date(Date.now() - 60000).toISOString();
  });

  async function pollTail() {
    const query = currentFilters();
    $('#tail-filters').textContent = describeFilters(query);
    query.delete('until');
    query.set('since', state.tailSince);
    query.set('order', 'desc');
    query.set('limit', '100');
    try {
      const page = await api('/api/v1/audit/events?' + query);
      const fresh = page.data.filter((e) => !state.tailSeen.has(e.event_id)).reverse();
      const body = $('#tail tbody');
      for (const e of fresh) {
        state.tailSeen.add(e.event_id);
        body.prepend(el('tr', { class: 'tail-row outcome-' + e.event_outcome, dataset: { eventId: e.event_id } },
          timeCell(e.event_timestamp), el('td', {}, e.event_type), el('td', {}, e.event_outcome),
          el('td', {}, e.actor_id || ''), el('td', {}, trailLink(e.correlation_id))));
      }
      while (body.rows.length > TAIL_MAX) {
        state.tailSeen.delete(body.lastElementChild.dataset.eventId);
        body.lastElementChild.remove();
      }
    } catch (e) {
      if (e.status !== 401) $('#tail-state').textContent = 'error: ' + e.message;
    }
  }

  // ---- completeness -------------------------------------------------------------------------

  $('#completeness-form').addEventListener('submit', (event) => {
    event.preventDefault();
    completeness();
  });

  /** GET /api/v1/producers: each producer epoch's accounts (docs/COMPLETENESS.md). */
  async function completeness() {
    const form = $('#completeness-form');
    const params = new URLSearchParams({ since: form.elements.since.value, limit: '200' });
    if (form.elements.state.value) params.set('state', form.elements.state.value);
    const summary = $('#completeness-summary');
    try {
      const answer = await api('/api/v1/producers?' + params);
      $('#producers tbody').replaceChildren(...answer.epochs.flatMap(renderEpoch));
      summary.className = answer.accounted_for ? 'ok' : 'bad';
      summary.textContent = answer.total + (answer.total === 1 ? ' epoch: ' : ' epochs: ')
        + (answer.accounted_for ? 'every number stored or declared.' : 'numbers are missing.')
        + ' A gap open longer than ' + formatGap(answer.grace_seconds * 1000) + ' is unaccounted loss.';
      summary.dataset.total = String(answer.total);
    } catch (e) {
      if (e.status !== 401) summary.textContent = 'error: ' + e.message;
    }
  }

  /** An epoch's row, and a row naming its gaps when it has any. */
  function renderEpoch(e) {
    const declared = Object.values(e.declared).reduce((sum, n) => sum + n, 0);
    const reasons = Object.entries(e.declared).map(([reason, n]) => reason + ' ' + n).join(', ');
    const rows = [el('tr', { class: 'epoch epoch-' + e.state, dataset: { producer: e.producer_id, epoch: e.epoch,
      missing: String(e.missing) } },
    el('td', { class: 'mono' }, e.producer_id), el('td', { class: 'mono', title: e.epoch }, e.epoch.slice(0, 13) + '…'),
    el('td', {}, e.state), el('td', {}, accountBar(e.stored, declared, e.missing, e.last_seq)), el('td', {}, e.stored),
    el('td', { title: reasons }, declared), el('td', { class: e.missing ? 'bad' : 'ok' }, e.missing),
    timeCell(e.last_seen))];
    if (e.gaps.length) {
      rows.push(el('tr', { class: 'gaps' }, el('td', { colspan: '8' }, ...e.gaps.map((g) => el('a',
        { class: g.unaccounted ? 'gap-item bad' : 'gap-item', href: neighboursLink(e.epoch, g),
          title: 'the stored events numbered around this gap' }, 'numbers ' + g.first_seq + '–' + g.last_seq
          + ' (' + g.count + ') missing since ' + localTime(g.first_seen) + (g.unaccounted ? ': unaccounted loss' : ''))))));
    }
    return rows;
  }

  /** How many numbers on each side of a gap its link shows. */
  const NEIGHBOURS = 5;

  /** A search for the epoch's events numbered just before and after a gap, in order. */
  function neighboursLink(epoch, gap) {
    return '#search?' + new URLSearchParams({ producer_epoch: epoch,
      producer_seq_from: String(Math.max(1, gap.first_seq - NEIGHBOURS)),
      producer_seq_to: String(gap.last_seq + NEIGHBOURS), order: 'asc' });
  }

  /** One bar: stored, declared and missing numbers as shares of the epoch's numbers. */
  function accountBar(stored, declared, missing, total) {
    const width = 200;
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', '0 0 ' + width + ' 10');
    svg.setAttribute('class', 'account-bar');
    let x = 0;
    for (const [n, colour, what] of [[stored, '#2f855a', 'stored'], [declared, '#d69e2e', 'declared'],
      [missing, '#c53030', 'missing']]) {
      if (n === 0 || total === 0) continue;
      const w = (n / total) * width;
      const rect = document.createElementNS(SVG, 'rect');
      rect.setAttribute('x', String(x));
      rect.setAttribute('width', String(w));
      rect.setAttribute('height', '10');
      rect.setAttribute('fill', colour);
      const title = document.createElementNS(SVG, 'title');
      title.textContent = n + ' ' + what;
      rect.append(title);
      svg.append(rect);
      x += w;
    }
    return svg;
  }

  // ---- health -------------------------------------------------------------------------------

  const health = poller(() => refreshHealth(), 5000);

  async function refreshHealth() {
    try {
      const h = await api('/api/v1/console/health');
      const now = Date.parse(h.time);
      if (state.health) {
        const seconds = (now - state.health.at) / 1000;
        const rate = seconds > 0 ? (h.events.created + h.events.accepted - state.health.taken) / seconds : 0;
        $('#health-rate').textContent = rate.toFixed(1) + ' events/s';
      } else {
        $('#health-rate').textContent = 'measuring…';
      }
      state.health = { at: now, taken: h.events.created + h.events.accepted };
      $('#health-created').textContent = h.events.created + ' stored, ' + h.events.duplicate + ' duplicates, '
        + h.events.rejected + ' rejected, ' + h.events.queued + ' queued in the DLQ'
        + (h.ingest_log.configured ? ', ' + h.events.accepted + ' accepted into Kafka' : '');
      $('#health-dlq').textContent = h.dlq.configured ? h.dlq.depth + ' waiting, ' + h.dlq.dead + ' dead-lettered'
        : 'not configured';
      $('#health-oldest').textContent = h.dlq.oldest_queued_at || '—';
      $('#health-log').textContent = h.log.checkpoint
        ? h.log.tree_size + ' leaves signed; ' + h.log.queued_events + ' events waiting to be integrated'
        : 'no checkpoint yet';
      showIngestLog(h.ingest_log);
    } catch (e) {
      if (e.status !== 401) $('#health-rate').textContent = 'error: ' + e.message;
    }
  }

  // Kafka mode: how far the writers are behind, per partition (docs/SCALE.md, "Watching it").
  function showIngestLog(k) {
    const table = $('#health-partitions');
    if (!k.configured) {
      $('#health-kafka').textContent = 'not configured (events go straight to PostgreSQL)';
      table.hidden = true;
      return;
    }
    $('#health-kafka').textContent = k.kafka === 'up'
      ? (k.lag === null ? 'up; lag unknown (' + k.database_error + ')'
        : 'up; ' + k.lag + ' records waiting for a writer')
      : 'down: ' + k.kafka_error;
    const body = table.querySelector('tbody');
    body.replaceChildren(...k.partitions.map(p => {
      const row = document.createElement('tr');
      for (const value of [p.partition, p.end_offset, p.stored_offset, p.lag, p.writer || '—', p.stored_at || '—']) {
        const cell = document.createElement('td');
        cell.textContent = String(value);
        row.append(cell);
      }
      if (p.lag > 0) row.className = 'lagging';
      return row;
    }));
    table.hidden = k.partitions.length === 0;
  }

  start();
})();
