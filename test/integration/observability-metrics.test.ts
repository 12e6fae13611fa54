// GET /metrics against real Prometheus tools: promtool lints the exposition, a real
// prometheus server scrapes a test hub with a bearer token, and a small OTLP/HTTP
// receiver takes the hub's pushed metrics.
import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';

const freePort = () => new Promise<number>((resolve) => {
  const server = createServer();
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    server.close(() => resolve(port));
  });
});

describe('GET /metrics', function () {
  this.timeout(60_000);
  let hub: TestHub;
  afterEach(async () => hub?.stop());

  it('needs an admin token unless metrics_public, and answers the Prometheus text format', async () => {
    hub = await startTestHub();
    const agentToken = await hub.register('a1');
    expect((await hub.http('GET', '/metrics', { token: null })).status).to.equal(401);
    expect((await hub.http('GET', '/metrics', { token: agentToken })).status).to.equal(403);
    const scraped = await hub.http('GET', '/metrics');
    expect(scraped.status).to.equal(200);
    expect(scraped.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
    expect(scraped.body).to.include('# TYPE agentcom_queue_depth gauge');
    await hub.stop();
    hub = await startTestHub({ metrics_public: true });
    expect((await hub.http('GET', '/metrics', { token: null })).status).to.equal(200);
  });

  it('passes promtool check metrics, and docs/prometheus/alerts.yml passes promtool check rules', async () => {
    hub = await startTestHub();
    const agent = await hub.connectAgent('a1');
    await hub.http('POST', '/api/tasks', { body: { description: 'lint me', priority: 'high' } });
    await agent.ws.nextMessage('task_assign');
    await hub.http('GET', '/api/nowhere');
    const text = (await hub.http('GET', '/metrics')).body as string;
    for (const family of ['agentcom_tasks_assigned_total', 'agentcom_task_queue_wait_seconds_bucket', 'agentcom_http_requests_total', 'agentcom_ws_frames_received_total']) {
      expect(text).to.include(family);
    }
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(lint.status, `${lint.stdout}${lint.stderr}`).to.equal(0);
    expect(`${lint.stdout}${lint.stderr}`.trim()).to.equal('');
    const rules = spawnSync('promtool', ['check', 'rules', new URL('../../docs/prometheus/alerts.yml', import.meta.url).pathname], { encoding: 'utf8' });
    expect(rules.status, `${rules.stdout}${rules.stderr}`).to.equal(0);
    expect(rules.stdout).to.include('SUCCESS: 8 rules found');
  });

  describe('scraped by a real Prometheus', () => {
    let prometheus: ChildProcess | null = null;
    let dir: TempDir;
    afterEach(async () => {
      if (prometheus && prometheus.exitCode === null) {
        const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
        prometheus.kill('SIGTERM');
        await exited;
      }
      dir?.remove();
    });

    it('counts the tasks the test submitted in agentcom_tasks_submitted_total', async () => {
      hub = await startTestHub();
      for (let i = 0; i < 3; i += 1) await hub.http('POST', '/api/tasks', { body: { description: `task ${i}` } });
      dir = makeTempDir('prometheus');
      const port = await freePort();
      const config = join(dir.path, 'prometheus.yml');
      writeFileSync(config, [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        'scrape_configs:',
        '  - job_name: agentcom',
        '    metrics_path: /metrics',
        `    authorization: { type: Bearer, credentials: "${hub.adminToken}" }`,
        `    static_configs: [{ targets: ["127.0.0.1:${hub.port}"] }]`,
        '',
      ].join('\n'));
      prometheus = spawn('prometheus', [
        `--config.file=${config}`, `--storage.tsdb.path=${join(dir.path, 'data')}`, `--web.listen-address=127.0.0.1:${port}`,
      ], { stdio: 'ignore' });
      const query = async (promql: string) => {
        const response = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(promql)}`).catch(() => null);
        if (!response?.ok) return null;
        const body = await response.json() as { data: { result: Array<{ value: [number, string] }> } };
        return body.data.result;
      };
      let submitted: string | undefined;
      await waitFor(async () => {
        const result = await query('sum(agentcom_tasks_submitted_total{job="agentcom"})');
        submitted = result?.[0]?.value[1];
        return submitted !== undefined;
      }, 40_000, 'a scrape of the test hub');
      expect(Number(submitted)).to.equal(3);
      const up = await query('up{job="agentcom"}');
      expect(up?.[0]?.value[1]).to.equal('1');
    });
  });

  describe('OTLP/HTTP export', () => {
    let receiver: Server | null = null;
    const saved = { ...process.env };
    afterEach(() => {
      receiver?.close();
      for (const key of ['OTEL_METRICS_EXPORTER', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_METRIC_EXPORT_INTERVAL', 'OTEL_SERVICE_NAME', 'OTEL_RESOURCE_ATTRIBUTES']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    });

    it('pushes the metrics as OTLP JSON when OTEL_METRICS_EXPORTER=otlp, with the service name and resource attributes', async () => {
      const payloads: any[] = [];
      receiver = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          if (req.url === '/v1/metrics' && req.headers['content-type']?.includes('json')) payloads.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        });
      });
      await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
      Object.assign(process.env, {
        OTEL_METRICS_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`,
        OTEL_METRIC_EXPORT_INTERVAL: '300',
        OTEL_SERVICE_NAME: 'agentcom-test',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test',
      });
      hub = await startTestHub();
      await hub.http('POST', '/api/tasks', { body: { description: 'exported' } });
      const submittedIn = (payload: any) => payload.resourceMetrics?.flatMap((resource: any) => resource.scopeMetrics)
        .flatMap((scope: any) => scope.metrics).find((metric: any) => metric.name === 'agentcom_tasks_submitted');
      await waitFor(() => payloads.some((payload) => submittedIn(payload)), 10_000, 'an OTLP export with agentcom_tasks_submitted');
      const payload = payloads.find((each) => submittedIn(each));
      const attributes = Object.fromEntries(payload.resourceMetrics[0].resource.attributes.map((a: any) => [a.key, a.value.stringValue]));
      expect(attributes).to.include({ 'service.name': 'agentcom-test', 'deployment.environment': 'test' });
      const points = submittedIn(payload).sum.dataPoints;
      expect(points.reduce((sum: number, point: any) => sum + Number(point.asInt ?? point.asDouble), 0)).to.equal(1);
    });
  });
});
