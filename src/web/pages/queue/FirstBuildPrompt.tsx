import { api } from '../../app/api.ts';
import { Link, withQuery } from '../../app/router.tsx';
import { useResource } from '../../app/use-resource.ts';

/** An empty queue after login: the way to a first image, a ready template already chosen on Submit. */
export function FirstBuildPrompt() {
  const templates = useResource(() => api.templates(), 'templates');
  // A disk image, for choice: the page tells how to boot it in qemu right after the build.
  const first = templates.data?.find((entry) => entry.suggested_image_type === 'raw') ?? templates.data?.[0];
  return (
    <section className="panel first-build" aria-labelledby="first-build">
      <h2 id="first-build">No images here yet</h2>
      <p>
        Build a first one from a ready template: pick it on Submit, press Submit, and follow the build here.
        It needs no kickstart of your own.
      </p>
      <div className="actions">
        <Link className="button" to={withQuery('submit/', { template: first?.name })}>
          {first ? `Build ${first.display_name}` : 'Build a first image'}
        </Link>
      </div>
    </section>
  );
}
