// The simulated workflow hub: workflow runs with agents and approvals, its HTTP API and database
// calls, recording every measurement on the OpenTelemetry instruments. Faults change the odds.
'use strict';

const { logNormal, exponential, chance, pick, pickWeighted, sleep } = require('./random');

const WORKFLOWS = [
  { name: 'support-triage', weight: 4, triggers: ['event', 'webhook'], agents: ['classifier', 'summarizer', 'writer'], approval: 0 },
  { name: 'invoice-approval', weight: 3, triggers: ['webhook', 'manual'], agents: ['extractor', 'validator'], approval: 0.6 },
  { name: 'customer-onboarding', weight: 2, triggers: ['webhook', 'event'], agents: ['classifier', 'writer'], approval: 0.2 },
  { name: 'data-sync', weight: 2, triggers: ['schedule', 'manual'], agents: ['mapper'], approval: 0 },
  { name: 'nightly-report', weight: 1, triggers: ['schedule'], agents: ['summarizer', 'writer'], approval: 0.1 },
];
const AGENTS = {
  classifier: { action: 'classify', median: 0.3 },
  summarizer: { action: 'summarize', median: 1.0 },
  writer: { action: 'draft', median: 1.2 },
  extractor: { action: 'extract', median: 0.7 },
  validator: { action: 'validate', median: 0.4 },
  mapper: { action: 'map-fields', median: 0.5 },
};
const DB_MEDIAN = { SELECT: 0.002, INSERT: 0.005, UPDATE: 0.004 };
const HTTP_TRIGGERS = new Set(['webhook', 'manual']);

// Healthy odds and what each fault turns them into.
function oddsFor(faults) {
  return {
    workflowFailure: 0.01,                               // bugs, bad input: ~1 % of runs
    dbFailure: 0.0005,
    // Lock timeouts on the runs table: runs do their work, then fail to save the result.
    dbUpdateFailure: faults.has('error') ? 0.85 : 0.0005,
    agentFailure: faults.has('agents') ? 0.2 : 0.0005,   // per call; retries hide most
    slowStartSeconds: faults.has('slow') ? [10.5, 14] : null, // model provider queueing
  };
}

const MEAN_ARRIVAL_SECONDS = 0.33; // ~180 workflow runs a minute
const AGENT_ATTEMPTS = 3;          // one call and up to two retries

class Hub {
  constructor(instruments, faults) {
    this.m = instruments;
    this.odds = oddsFor(faults);
    this.timers = new Map();  // loop name -> its pending timeout
    this.stopped = false;
  }

  start() {
    this.initCounters();
    this.loop('runs', MEAN_ARRIVAL_SECONDS, () => {
      const wf = pickWeighted(WORKFLOWS);
      this.runWorkflow(wf, pick(wf.triggers));
    });
    // Clients polling run status, and the load balancer's health check.
    this.loop('polls', 0.25, () => this.http('GET', '/api/runs/:id', 200, 0.006, 'SELECT'));
    this.loop('health', 1, () => this.http('GET', '/health', 200, 0.001, null));
  }

  stop() {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
  }

  // Counters start at 0 for every label set an alert divides by or sums: rate() over a series
  // that first appears with its first failure would not count that failure.
  initCounters() {
    for (const wf of WORKFLOWS) {
      for (const trigger of wf.triggers) {
        for (const status of ['success', 'failure']) {
          this.m.workflowRuns.add(0, { 'workflow.name': wf.name, 'workflow.trigger': trigger, 'workflow.status': status });
        }
      }
    }
    for (const [name, a] of Object.entries(AGENTS)) {
      for (const status of ['success', 'failure']) {
        this.m.agentRuns.add(0, { 'agent.name': name, 'agent.action': a.action, 'agent.status': status });
      }
      this.m.agentErrors.add(0, { 'agent.name': name });
      this.m.agentRetries.add(0, { 'agent.name': name });
    }
  }

  // Calls fn at exponentially distributed intervals of the given mean until stop().
  loop(name, meanSeconds, fn) {
    const schedule = () => this.timers.set(name, setTimeout(tick, exponential(meanSeconds) * 1000));
    const tick = () => {
      if (this.stopped) return;
      fn();
      schedule();
    };
    schedule();
  }

  async runWorkflow(wf, trigger) {
    const started = performance.now();
    this.m.workflowsActive.add(1);
    let ok = true;
    try {
      ok = HTTP_TRIGGERS.has(trigger)
        ? await this.http('POST', '/api/workflows/:name/runs', 202, 0.02, 'INSERT')
        : await this.db('INSERT');
      let first = true;
      for (const agent of wf.agents) {
        if (!ok) break;
        ok = await this.runAgent(agent, first);
        first = false;
      }
      if (ok && chance(wf.approval)) {
        // Humans take minutes to hours; the simulator records the wait without sitting through it.
        this.m.approvalWait.record(logNormal(240, 1.2), { 'workflow.name': wf.name });
        ok = await this.http('POST', '/api/approvals/:id', 200, 0.01, 'UPDATE');
      }
      if (ok) ok = await this.db('UPDATE');
      if (ok && chance(this.odds.workflowFailure)) ok = false;
    } finally {
      const status = ok ? 'success' : 'failure';
      this.m.workflowDuration.record((performance.now() - started) / 1000, { 'workflow.name': wf.name, 'workflow.status': status });
      this.m.workflowRuns.add(1, { 'workflow.name': wf.name, 'workflow.trigger': trigger, 'workflow.status': status });
      this.m.workflowsActive.add(-1);
    }
  }

  async runAgent(name, firstOfRun) {
    const agent = AGENTS[name];
    for (let attempt = 0; attempt < AGENT_ATTEMPTS; attempt++) {
      if (attempt > 0) this.m.agentRetries.add(1, { 'agent.name': name });
      let seconds = logNormal(agent.median);
      const slow = this.odds.slowStartSeconds;
      if (slow && firstOfRun && attempt === 0) seconds += slow[0] + Math.random() * (slow[1] - slow[0]);
      const failed = chance(this.odds.agentFailure);
      if (failed) seconds *= 0.3;  // failures (timeouts aside) come back early
      await sleep(seconds);
      this.m.agentDuration.record(seconds, { 'agent.name': name });
      this.m.agentRuns.add(1, { 'agent.name': name, 'agent.action': agent.action, 'agent.status': failed ? 'failure' : 'success' });
      if (!failed) return true;
      this.m.agentErrors.add(1, { 'agent.name': name });
    }
    return false;
  }

  // One database operation; resolves to whether it succeeded.
  async db(op) {
    const seconds = logNormal(DB_MEDIAN[op], 0.6);
    await sleep(seconds);
    this.m.dbDuration.record(seconds, { 'db.operation.name': op });
    return !chance(op === 'UPDATE' ? this.odds.dbUpdateFailure : this.odds.dbFailure);
  }

  // One request to the hub's API, with its database operation (dbOp, or none); resolves to
  // whether it succeeded. A failed database operation makes the request a 503.
  async http(method, route, okStatus, medianSeconds, dbOp) {
    const started = performance.now();
    let status = okStatus;
    if (dbOp && !(await this.db(dbOp))) status = 503;
    await sleep(logNormal(medianSeconds));
    if (status === okStatus && route === '/api/runs/:id' && chance(0.01)) status = 404;  // unknown run ids
    this.m.httpDuration.record((performance.now() - started) / 1000, { 'http.route': route, 'http.response.status_code': status });
    return status < 500;
  }
}

module.exports = { Hub, WORKFLOWS, AGENTS };
