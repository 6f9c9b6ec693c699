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

  class ApiError extends Error {
    constructor(status, problem) {
      super(problem && problem.detail ? problem.detail : 'HTTP ' + status);
      this.status = status;
    }
  }

  /** Calls the API with the session cookie; state-changing calls carry the CSRF token. */
  async function api(path, options = {}) {
    const headers = Object.assign({ Accept: 'application/json' }, options.headers || {});
    const method = options.method || 'GET';
    if (method !== 'GET' && state.session && state.session.csrf_token) {
      headers['X-CSRF-Token'] = state.session.csrf_token;
    }
    if (options.json !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(path, {
      method, headers, credentials: 'same-origin',
      body: options.json !== undefined ? JSON.stringify(options.json) : undefined,
    });
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
    show('search');
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

  function show(view) {
    document.querySelectorAll('.view').forEach((v) => { v.hidden = v.id !== 'view-' + view; });
    document.querySelectorAll('#nav button').forEach((b) => b.classList.toggle('active', b.dataset.view === view));
    if (view === 'tail') tail.start(); else tail.stop();
    if (view === 'health') health.start(); else health.stop();
  }

  document.querySelectorAll('#nav button').forEach((button) => {
    button.addEventListener('click', () => show(button.dataset.view));
  });

  // ---- search -------------------------------------------------------------------------------

  const FILTERS = ['since', 'until', 'event_category', 'event_type', 'event_outcome', 'severity', 'actor_id',
    'resource_type', 'resource_id', 'correlation_id'];

  function currentFilters() {
    const form = $('#search-form');
    const params = new URLSearchParams();
    for (const name of FILTERS) {
      const value = form.elements[name].value.trim();
      if (value) params.set(name, value);
    }
    return params;
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

  async function search(cursor) {
    const filters = currentFilters();
    state.filters = filters;
    const query = new URLSearchParams(filters);
    query.set('limit', '100');
    query.set('order', $('#search-form').elements.order.value);
    if (cursor) query.set('cursor', cursor);
    $('#search-error').textContent = '';
    const started = performance.now();
    try {
      const [page, count] = await Promise.all([
        api('/api/v1/audit/events?' + query),
        cursor ? Promise.resolve(null) : api('/api/v1/audit/events/count?' + filters),
      ]);
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
      if (e.status !== 401) $('#search-error').textContent = e.message;
    }
  }

  function renderResults(events) {
    const body = $('#results tbody');
    body.replaceChildren(...events.map((e) => el('tr', { class: 'event-row', dataset: { eventId: e.event_id } },
      el('td', { class: 'mono' }, e.event_timestamp),
      el('td', {}, e.event_type),
      el('td', {}, e.event_category),
      el('td', {}, e.event_outcome),
      el('td', {}, e.severity || ''),
      el('td', {}, e.actor_id || ''),
      el('td', {}, [e.resource_type, e.resource_id].filter(Boolean).join('/')),
      el('td', {}, trailLink(e.correlation_id)))));
  }

  function trailLink(correlationId) {
    const link = el('a', { class: 'trail-link', href: '#' }, correlationId);
    link.addEventListener('click', (event) => {
      event.preventDefault();
      $('#trail-correlation').value = correlationId;
      show('trail');
      trail(correlationId);
    });
    return link;
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

  async function trail(correlationId) {
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
      renderTimeline(events);
      const verdict = await api('/api/v1/audit/verify', { method: 'POST', json: { correlation_id: correlationId } });
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
        el('span', { class: 'mono' }, '#' + e.chain_position + ' ' + e.event_timestamp + ' '),
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
        body.prepend(el('tr', { class: 'tail-row', dataset: { eventId: e.event_id } },
          el('td', { class: 'mono' }, e.event_timestamp), el('td', {}, e.event_type), el('td', {}, e.event_outcome),
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

  // ---- health -------------------------------------------------------------------------------

  const health = poller(() => refreshHealth(), 5000);

  async function refreshHealth() {
    try {
      const h = await api('/api/v1/console/health');
      const now = Date.parse(h.time);
      if (state.health) {
        const seconds = (now - state.health.at) / 1000;
        const rate = seconds > 0 ? (h.events.created - state.health.created) / seconds : 0;
        $('#health-rate').textContent = rate.toFixed(1) + ' events/s';
      } else {
        $('#health-rate').textContent = 'measuring…';
      }
      state.health = { at: now, created: h.events.created };
      $('#health-created').textContent = h.events.created + ' stored, ' + h.events.duplicate + ' duplicates, '
        + h.events.rejected + ' rejected, ' + h.events.queued + ' queued in the DLQ';
      $('#health-dlq').textContent = h.dlq.configured ? h.dlq.depth + ' waiting, ' + h.dlq.dead + ' dead-lettered'
        : 'not configured';
      $('#health-oldest').textContent = h.dlq.oldest_queued_at || '—';
      $('#health-log').textContent = h.log.checkpoint
        ? h.log.tree_size + ' leaves signed; ' + h.log.queued_events + ' events waiting to be integrated'
        : 'no checkpoint yet';
    } catch (e) {
      if (e.status !== 401) $('#health-rate').textContent = 'error: ' + e.message;
    }
  }

  start();
})();
