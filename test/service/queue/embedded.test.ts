import { createJobService } from '../../../src/service/jobs/index.ts';
import { createEmbeddedTransport, type QueueTransport } from '../../../src/service/queue/index.ts';
import { databaseKinds, testDatabase } from '../helpers.ts';
import { transportConformance } from './conformance.ts';

for (const kind of databaseKinds) {
  transportConformance(`embedded on ${kind}`, async (t) => {
    const { db, dialect } = await testDatabase(t, kind);
    const jobs = createJobService({ db, dialect });
    return {
      jobs,
      async transport(): Promise<QueueTransport> {
        // A short poll stands in for the other processes whose submissions no in-process event announces.
        const transport = createEmbeddedTransport({ pollMs: 50 });
        t.after(() => transport.close());
        return transport;
      },
    };
  });
}
