import { Link } from '../app/router.tsx';
import { PageTitle } from '../components/PageTitle.tsx';

export function NotFoundPage() {
  return (
    <div className="panel">
      <PageTitle title="No such page">No such page</PageTitle>
      <p>
        Try the <Link to="queue/">queue</Link> or <Link to="submit/">submit an image</Link>.
      </p>
    </div>
  );
}
