// Micro-benchmark of the task actor's life under the `tasks` partition supervisors, as the hub
// runs it: start (spawn under tasks/<n>), accept, complete (the ending stops it through the host),
// with `inFlight` task actors alive at once (the lifecycle bench keeps 64 in flight); and, apart,
// the three transitions of the agent actor that holds each task (assigned, accepted, finished),
// over 100 agent actors under the `agents` partitions.
//
//   npx tsx bench/task-actor-micro.ts [tree ...] [--tasks n] [--rounds n] [--in-flight n] [--deadline-ms n]
//
// Each `tree` is the root of a source tree (default: this one). All trees are loaded in one process
// and run in alternating batches, so a load that changes during the run weighs on each alike.
// Prints the median and the range over the rounds of µs per task for each step.
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createActor } from 'xstate';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    tasks: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '15' },
    'in-flight': { type: 'string', default: '64' },
    'deadline-ms': { type: 'string' },
  },
});
const trees = (positionals.length ? positionals : ['.']).map((tree) => path.resolve(tree));
const tasksPerRound = Number(values.tasks);
const rounds = Number(values.rounds);
const inFlight = Number(values['in-flight']);
const deadlineMs = values['deadline-ms'] === undefined ? null : Number(values['deadline-ms']);

interface Steps { spawn: number; accept: number; complete: number; agent: number }

async function harness(tree: string) {
  const load = (file: string) => import(pathToFileURL(path.join(tree, file)).href);
  const { supervisorMachine } = await load('machines/supervisor-machine.ts');
  const { actorGroups } = await load('runtime/root-supervisor.ts');
  const { indexTimersByActor } = await load('actors/timers-by-actor.ts');
  const { supervisedActorHost } = await load('actors/supervised-actor-host.ts');
  const { TaskDispatch } = await load('actors/task-dispatch.ts');
  const { agentActorLogic } = await load('actors/agent-actor.ts');
  const root = createActor(supervisorMachine, {
    systemId: 'root',
    input: { strategy: 'one_for_one', intensity: 3, periodMs: 5000, children: actorGroups(3, 5000) },
  });
  indexTimersByActor(root.system as never);
  root.start();
  // The dispatch's own task actor logic and start; no report in this loop reaches the queue.
  const dispatch = new TaskDispatch({
    host: supervisedActorHost({ get: (id: string) => root.system.get(id) }),
    queue: {} as never, agents: {} as never, events: {} as never, log: {} as never,
    stuckAfterMs: 60_000, now: () => Date.now(), offer: () => {},
  });
  const agentLogic = agentActorLogic({ reclaim: () => {}, idle: () => {}, resume: () => {} });
  const host = supervisedActorHost({ get: (id: string) => root.system.get(id) });
  const agents = Array.from({ length: 100 }, (_, i) => {
    const agent = host.start('agents', `agent:a${i}`, agentLogic, { agentId: `a${i}`, acceptanceTimeoutMs: 60_000 });
    agent.send({ type: 'agent.connected' });
    return agent;
  });
  let serial = 0;
  const record = (id: string) => ({ id, assigned_to: 'agent-1', generation: 1, complete_by: deadlineMs === null ? null : Date.now() + deadlineMs, accepted_at: null });

  function round(): Steps {
    const spent: Steps = { spawn: 0, accept: 0, complete: 0, agent: 0 };
    const live: string[] = [];
    const complete = (id: string) => {
      const t = performance.now();
      dispatch.actorOf(id).send({ type: 'task.completed' });
      spent.complete += performance.now() - t;
    };
    for (let i = 0; i < tasksPerRound; i++) {
      const id = `task-${(serial++).toString(36)}`;
      let t = performance.now();
      dispatch.startActor(record(id));
      spent.spawn += performance.now() - t;
      t = performance.now();
      dispatch.actorOf(id).send({ type: 'task.accepted' });
      spent.accept += performance.now() - t;
      live.push(id);
      if (live.length > inFlight) complete(live.shift()!);
    }
    for (const id of live) complete(id);
    if (dispatch.actorOf(`task-${(serial - 1).toString(36)}`)) throw new Error(`${tree}: an ended task actor is still running`);
    const t = performance.now();
    for (let i = 0; i < tasksPerRound; i++) {
      const agent = agents[i % agents.length];
      const taskId = `agent-task-${i}`;
      agent.send({ type: 'task.assigned', taskId, generation: 1 });
      agent.send({ type: 'task.accepted', taskId });
      agent.send({ type: 'task.finished', taskId, outcome: 'completed', at: 0 });
    }
    spent.agent = performance.now() - t;
    const perTask = (ms: number) => (ms * 1000) / tasksPerRound;
    return { spawn: perTask(spent.spawn), accept: perTask(spent.accept), complete: perTask(spent.complete), agent: perTask(spent.agent) };
  }
  return { tree, round, stop: () => { dispatch.stop(); root.stop(); } };
}

const harnesses = [];
for (const tree of trees) harnesses.push(await harness(tree));
const results = new Map<string, Steps[]>(trees.map((tree) => [tree, []]));
// One warm-up round each, not counted.
for (const h of harnesses) h.round();
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? harnesses : [...harnesses].reverse();
  for (const h of order) results.get(h.tree)!.push(h.round());
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const show = (xs: number[]) => `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;
for (const [tree, steps] of results) {
  const total = steps.map((s) => s.spawn + s.accept + s.complete);
  console.log(`${tree}\n  task actor: spawn ${show(steps.map((s) => s.spawn))}  accept ${show(steps.map((s) => s.accept))}  complete+stop ${show(steps.map((s) => s.complete))}  all ${show(total)} µs/task`);
  console.log(`  agent actor: assigned + accepted + finished ${show(steps.map((s) => s.agent))} µs/task`);
}
for (const h of harnesses) h.stop();
process.exit(0);
