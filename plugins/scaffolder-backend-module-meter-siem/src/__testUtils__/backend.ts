import {
  coreServices,
  createServiceFactory,
  LoggerService,
  RootLoggerService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { scaffolderModuleMeterSiem } from '../module';
import yaml from 'yaml';
import {
  AwsFaultProxyOptions,
  startAwsFaultProxy,
} from '@internal/backstage-plugin-meter-siem-node/testUtils';
import { requireMoto } from './moto';
import { JANE, ORG } from './org';

/** Every line the backend logs, with its metadata, for the secret checks. */
export class RecordingLogger implements RootLoggerService {
  constructor(readonly lines: string[] = [], private readonly meta = {}) {}
  private record(level: string, message: string, meta?: unknown) {
    this.lines.push(
      `${level} ${message} ${JSON.stringify({
        ...this.meta,
        ...(meta as object),
      })}`,
    );
  }
  error(message: string, meta?: Error | object) {
    this.record(
      'error',
      message,
      meta instanceof Error ? { error: `${meta.stack}` } : meta,
    );
  }
  warn(message: string, meta?: Error | object) {
    this.record(
      'warn',
      message,
      meta instanceof Error ? { error: `${meta.stack}` } : meta,
    );
  }
  info(message: string, meta?: object) {
    this.record('info', message, meta);
  }
  debug(message: string, meta?: object) {
    this.record('debug', message, meta);
  }
  child(meta: object): LoggerService {
    return new RecordingLogger(this.lines, { ...this.meta, ...meta });
  }
}

export function loadTemplate(name = 'meter-siem-integration') {
  const file = path.resolve(
    __dirname,
    `../../../../templates/${name}/template.yaml`,
  );
  const entity = yaml.parse(fs.readFileSync(file, 'utf8'));
  entity.metadata.namespace = 'default';
  return entity;
}

/** Every template of the repository's templates directory. */
export function allTemplates() {
  const dir = path.resolve(__dirname, '../../../../templates');
  return fs
    .readdirSync(dir)
    .filter(name => fs.existsSync(path.join(dir, name, 'template.yaml')))
    .map(name => loadTemplate(name));
}

/**
 * The real scaffolder backend with this module, against moto, the template
 * served by an in-memory catalog.
 */
export async function startScaffolder(
  extraFeatures: any[] = [],
  options: { entities?: object[]; config?: object } = {},
) {
  requireMoto();
  const logger = new RecordingLogger();
  const backend = await startTestBackend({
    features: [
      scaffolderPlugin,
      scaffolderModuleMeterSiem,
      eventsServiceFactory,
      catalogServiceMock.factory({
        entities: [
          ...allTemplates(),
          ...ORG,
          ...(options.entities ?? []),
        ] as any[],
      }),
      createServiceFactory({
        service: coreServices.rootLogger,
        deps: {},
        factory: () => logger,
      }),
      mockServices.rootConfig.factory({
        data: {
          backend: { baseUrl: 'http://localhost:7007' },
          ...options.config,
        },
      }),
      ...extraFeatures,
    ],
  });

  type TaskEvent = { type: string; body: any };
  type RunResult = {
    /** HTTP status of the task creation. */
    status: number;
    body?: any;
    task?: any;
    events: TaskEvent[];
  };

  /** Runs a template as a user (Jane of the security team by default). */
  async function run(
    values: Record<string, unknown>,
    templateRef = 'template:default/meter-siem-integration',
    as = JANE,
  ): Promise<RunResult> {
    const auth = mockCredentials.user.header(as);
    const created = await request(backend.server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', auth)
      .send({ templateRef, values });
    if (created.status !== 201) {
      return { status: created.status, body: created.body, events: [] };
    }
    const id = created.body.id as string;
    for (let i = 0; i < 600; i++) {
      const task = await request(backend.server)
        .get(`/api/scaffolder/v2/tasks/${id}`)
        .set('Authorization', auth);
      if (['completed', 'failed', 'cancelled'].includes(task.body.status)) {
        const events = await request(backend.server)
          .get(`/api/scaffolder/v2/tasks/${id}/events`)
          .set('Authorization', auth);
        return { status: 201, task: task.body, events: events.body };
      }
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    throw new Error(`Task ${id} did not finish within 60 seconds`);
  }

  return { backend, logger, run };
}

/**
 * {@link startScaffolder} with every AWS client of the backend going through
 * a proxy in front of moto (`startAwsFaultProxy`), to inject AWS's faults
 * and state transitions. `stop()` stops both and restores the endpoint.
 */
export async function startScaffolderBehindProxy(
  options: Parameters<typeof startScaffolder>[1] & {
    proxy?: Omit<AwsFaultProxyOptions, 'target'>;
  } = {},
) {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  const proxy = await startAwsFaultProxy({
    target: requireMoto(),
    ...options.proxy,
  });
  process.env.AWS_ENDPOINT_URL = proxy.url;
  const scaffolder = await startScaffolder([], options);
  return {
    ...scaffolder,
    proxy,
    async stop() {
      process.env.AWS_ENDPOINT_URL = endpoint;
      await scaffolder.backend.stop();
      await proxy.close();
    },
  };
}
