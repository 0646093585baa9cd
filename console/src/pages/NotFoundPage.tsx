import { Link, useLocation } from 'react-router';

/** What an unknown address shows: says so, and offers the way back. */
export function NotFoundPage() {
  const { pathname } = useLocation();
  return (
    <section className="page not-found" data-page="not-found">
      <h1>Page not found</h1>
      <p>
        There is no page at <code>{pathname}</code>.
      </p>
      <p>
        <Link to="/">Go to the home page</Link> or pick a page from the bar above.
      </p>
    </section>
  );
}
