// The GitOps ML web console: reads the JSON API next to this page and draws it. Every text from the API is set with
// textContent (never as HTML), so names coming from Git cannot inject markup.
'use strict';

(function () {
  const params = new URLSearchParams(window.location.search);
  const onlyEnvironment = params.get('env');
  const onlyModel = params.get('model');
  const svgNs = 'http://www.w3.org/2000/svg';

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value !== null && value !== undefined) {
        node.setAttribute(name, String(value));
      }
    }
    append(node, children);
    return node;
  }

  function svg(tag, attributes, ...children) {
    const node = document.createElementNS(svgNs, tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      node.setAttribute(name, String(value));
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) {
        continue;
      }
      node.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
    }
  }

  function link(query, text) {
    return el('a', { href: '?' + new URLSearchParams(query).toString() }, text);
  }

  async function getJson(path) {
    const response = await fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (!response.ok) {
      throw new Error(path + ': HTTP ' + response.status + ': ' + (await response.text()));
    }
    return response.json();
  }

  function short(commit) {
    return commit && commit.length > 12 && commit.indexOf('-') < 0 ? commit.substring(0, 12) : commit;
  }

  function outcomeBadge(outcome) {
    const kind = outcome === 'Applied' || outcome === 'NoChange' ? 'ok' : outcome === 'Stalled' || outcome === 'Refused' ? 'bad' : 'warn';
    return el('span', { class: 'badge ' + kind }, outcome);
  }

  function phaseBadge(phase) {
    const kind = phase === 'healthy' ? 'ok' : phase === 'degraded' ? 'bad' : 'warn';
    return el('span', { class: 'badge ' + kind, 'data-phase': phase }, phase);
  }

  function modelsTable(environment) {
    const models = environment.models.filter(m => !onlyModel || m.model === onlyModel);
    if (models.length === 0) {
      return el('p', { class: 'muted' }, 'No models in this environment yet.');
    }
    return el('table', { class: 'models' },
      el('thead', {}, el('tr', {}, ['Model', 'Serving', 'Canary', 'Trained versions', 'Training', 'Replicas', 'Notes'].map(h => el('th', {}, h)))),
      el('tbody', {}, models.map(m => el('tr', { 'data-model': m.model },
        el('td', {}, link({ env: environment.name, model: m.model }, m.model)),
        el('td', {}, el('code', {}, m.serving || '-')),
        el('td', {}, m.canary ? [el('code', {}, m.canary), ' at ' + m.weight + '%'] : '-'),
        el('td', {}, m.trained.length === 0 ? '-' : m.trained.map((v, i) => [i > 0 ? ', ' : '', el('code', {}, v)])),
        el('td', {}, m.training || '-'),
        el('td', {}, m.desiredReplicas === null || m.desiredReplicas === undefined ? '-' : m.readyReplicas + '/' + m.desiredReplicas),
        el('td', {},
          m.problem ? el('div', { class: 'problem' }, m.problem) : null,
          m.held ? el('div', { class: 'note' }, 'not served: ' + m.held) : null,
          m.url ? el('div', { class: 'muted' }, m.url) : null)))));
  }

  // The measurements of the rollout's current analysis runs (ids start with its generation), oldest first.
  function measurements(state) {
    const prefix = state.generation + '-';
    const runs = (state.pastRuns || []).concat(state.stepAnalysis ? [state.stepAnalysis] : [], state.backgroundAnalysis ? [state.backgroundAnalysis] : []);
    return runs.filter(r => r.id.startsWith(prefix)).flatMap(r => r.measurements || [])
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  }

  function chart(metric, points) {
    const width = 420, height = 150, left = 46, right = 10, top = 10, bottom = 22;
    const numeric = points.filter(p => typeof p.value === 'number' && Number.isFinite(p.value));
    const times = points.map(p => Date.parse(p.at));
    const t0 = Math.min(...times), t1 = Math.max(...times);
    const values = numeric.map(p => p.value);
    let v0 = values.length ? Math.min(...values) : 0, v1 = values.length ? Math.max(...values) : 1;
    if (v0 === v1) { v0 -= 1; v1 += 1; }
    const x = t => left + (t1 === t0 ? (width - left - right) / 2 : (t - t0) / (t1 - t0) * (width - left - right));
    const y = v => top + (1 - (v - v0) / (v1 - v0)) * (height - top - bottom);
    const body = svg('svg', { class: 'chart', width: width, height: height, viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'data-metric': metric },
      svg('title', {}, metric + ': ' + points.length + ' measurement(s)'),
      svg('line', { class: 'axis', x1: left, y1: height - bottom, x2: width - right, y2: height - bottom }),
      svg('line', { class: 'axis', x1: left, y1: top, x2: left, y2: height - bottom }),
      svg('text', { x: 2, y: top + 8 }, formatNumber(v1)),
      svg('text', { x: 2, y: height - bottom }, formatNumber(v0)),
      svg('text', { x: left, y: height - 6 }, new Date(t0).toISOString().substring(11, 19)),
      svg('text', { x: width - right - 44, y: height - 6 }, new Date(t1).toISOString().substring(11, 19)));
    if (numeric.length > 1) {
      body.appendChild(svg('polyline', { class: 'series', points: numeric.map(p => x(Date.parse(p.at)).toFixed(1) + ',' + y(p.value).toFixed(1)).join(' ') }));
    }
    for (const p of numeric) {
      body.appendChild(svg('circle', { class: 'point ' + (p.phase || ''), cx: x(Date.parse(p.at)).toFixed(1), cy: y(p.value).toFixed(1), r: 3.5 },
        svg('title', {}, p.at + ': ' + formatNumber(p.value) + ' (' + (p.phase || '') + (p.reason ? ': ' + p.reason : '') + ')')));
    }
    const missing = points.length - numeric.length;
    return el('figure', { class: 'chart' }, body,
      el('figcaption', {}, metric + ' — ' + numeric.length + ' value(s)' + (missing > 0 ? ', ' + missing + ' without a value (no data or error)' : '')));
  }

  function formatNumber(value) {
    return typeof value !== 'number' ? String(value) : Math.abs(value) >= 1000 || value === Math.round(value) ? String(value) : value.toPrecision(3);
  }

  function rolloutSection(rollout) {
    const state = rollout.state;
    const byMetric = new Map();
    for (const m of measurements(state)) {
      if (!byMetric.has(m.metric)) {
        byMetric.set(m.metric, []);
      }
      byMetric.get(m.metric).push(m);
    }
    return el('div', { class: 'rollout', 'data-model': rollout.model },
      el('h4', {}, rollout.model, phaseBadge(rollout.phase)),
      el('p', {},
        'stable ', el('code', {}, rollout.stable || '-'),
        rollout.canary ? [', canary ', el('code', {}, rollout.canary), ' at ' + rollout.weight + '% of traffic'] : null,
        rollout.step ? ', step ' + rollout.step + ' of ' + rollout.steps.length : null,
        rollout.policy ? ' (policy ' + rollout.policy + ')' : ' (no rollout policy: direct)'),
      state.pauseReason ? el('p', { class: 'note' }, 'paused: ' + state.pauseReason) : null,
      rollout.steps.length ? el('ol', { class: 'steps' }, rollout.steps.map(s => el('li', { class: s.status, title: s.status }, s.number + '. ' + s.step))) : null,
      rollout.pendingCommands.length ? el('p', { class: 'note' }, 'pending: ' + rollout.pendingCommands.map(c => c.kind + ' by ' + c.actor).join(', ')) : null,
      byMetric.size === 0
        ? el('p', { class: 'muted' }, 'No analysis measurements for this rollout yet.')
        : el('div', { class: 'charts' }, Array.from(byMetric, ([metric, points]) => chart(metric, points))),
      (state.history || []).length
        ? el('details', {}, el('summary', {}, 'History (' + state.history.length + ')'),
          el('table', {}, el('tbody', {}, state.history.slice(-15).reverse().map(h => el('tr', {}, el('td', {}, el('code', {}, h.at)), el('td', {}, h.kind), el('td', {}, h.message))))))
        : null);
  }

  function driftSection(drift) {
    const features = drift.features.filter(f => !onlyModel || f.model === onlyModel);
    if (drift.problem && features.length === 0) {
      return el('p', { class: drift.prometheus ? 'problem' : 'muted', 'data-drift': 'problem' }, drift.problem);
    }
    if (features.length === 0) {
      return el('p', { class: 'muted' }, 'No drift values yet: the serving pods export them once they have answered requests.');
    }
    const max = Math.max(0.5, ...features.map(f => typeof f.psi === 'number' ? f.psi : 0), ...features.map(f => f.threshold || 0));
    return el('table', { class: 'drift' },
      el('thead', {}, el('tr', {}, ['Model', 'Version', 'Feature', 'PSI', '', 'Limit'].map(h => el('th', {}, h)))),
      el('tbody', {}, features.map(f => {
        const value = typeof f.psi === 'number' ? f.psi : 0;
        const bar = svg('svg', { class: 'bar', width: 160, height: 12, viewBox: '0 0 160 12' },
          svg('rect', { class: 'track', x: 0, y: 0, width: 160, height: 12 }),
          svg('rect', { class: 'value' + (f.over ? ' over' : ''), x: 0, y: 0, width: (Math.min(value, max) / max * 160).toFixed(1), height: 12 }));
        if (typeof f.threshold === 'number') {
          const at = (f.threshold / max * 160).toFixed(1);
          bar.appendChild(svg('line', { class: 'limit', x1: at, y1: 0, x2: at, y2: 12 }));
        }
        return el('tr', { 'data-feature': f.feature, class: f.over ? 'over' : null },
          el('td', {}, f.model), el('td', {}, el('code', {}, f.version)), el('td', {}, f.feature),
          el('td', { class: f.over ? 'problem' : null }, formatNumber(f.psi)), el('td', {}, bar),
          el('td', {}, typeof f.threshold === 'number' ? formatNumber(f.threshold) : '-'));
      })));
  }

  async function environmentSection(environment) {
    const name = encodeURIComponent(environment.name);
    const [rollouts, drift] = await Promise.all([
      getJson('api/environments/' + name + '/rollouts'),
      getJson('api/environments/' + name + '/drift'),
    ]);
    const shown = rollouts.rollouts.filter(r => !onlyModel || r.model === onlyModel);
    return el('section', { class: 'environment', id: 'env-' + environment.name, 'data-environment': environment.name },
      el('h2', {}, environment.name, outcomeBadge(environment.outcome),
        environment.commit ? el('code', { class: 'muted' }, ' ' + short(environment.commit)) : null),
      environment.message ? el('p', { class: environment.outcome === 'Stalled' ? 'problem' : 'muted' }, environment.message) : null,
      environment.prometheusProblem ? el('p', { class: 'note' }, environment.prometheusProblem) : null,
      el('h3', {}, 'Models'),
      modelsTable(environment),
      environment.experiments.length ? [el('h3', {}, 'Experiments'), el('ul', {}, environment.experiments.map(x => el('li', {}, x)))] : null,
      el('h3', {}, 'Rollouts'),
      shown.length === 0 ? el('p', { class: 'muted' }, 'No rollouts recorded yet.') : shown.map(rolloutSection),
      el('h3', {}, 'Drift per feature'),
      driftSection(drift));
  }

  async function render() {
    const main = document.getElementById('main');
    try {
      const data = await getJson('api/environments');
      const nav = document.getElementById('environments');
      nav.replaceChildren();
      append(nav, [
        el('a', { href: './', class: onlyEnvironment ? null : 'current' }, 'All'),
        data.environments.map(e => {
          const a = link({ env: e.name }, e.name);
          if (e.name === onlyEnvironment) {
            a.setAttribute('class', 'current');
          }
          return a;
        })]);
      const environments = data.environments.filter(e => !onlyEnvironment || e.name === onlyEnvironment);
      const sections = await Promise.all(environments.map(environmentSection));
      main.replaceChildren();
      append(main, [
        onlyModel ? el('p', {}, 'Model ', el('strong', {}, onlyModel), ' — ', link(onlyEnvironment ? { env: onlyEnvironment } : {}, 'show all models')) : null,
        sections.length ? sections : el('p', { class: 'muted' }, 'No environment matches.')]);
      document.getElementById('updated').textContent = 'as of ' + data.generatedAt.substring(0, 19).replace('T', ' ') + ' UTC';
      document.body.setAttribute('data-ready', 'true');
    } catch (error) {
      main.replaceChildren(el('p', { class: 'problem', id: 'error' }, String(error.message || error)));
      document.body.setAttribute('data-ready', 'error');
    }
  }

  render();
}());
