/** The slot of a page that a later issue fills. */
export function PlaceholderPage(props: { title: string; what: string }) {
  return (
    <section className="page">
      <h1>{props.title}</h1>
      <p className="muted">This page will show {props.what}. Until then, its API is available on the backend.</p>
    </section>
  );
}
