import type { MouseEvent, ReactNode } from 'react';
import { navigate } from '../router.js';

/** An anchor that navigates in-app on a plain click and behaves as a normal link otherwise. */
export function Link(props: { to: string; className?: string; children: ReactNode; title?: string }) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>): void => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.to);
  };
  return (
    <a href={props.to} className={props.className} onClick={onClick} title={props.title}>
      {props.children}
    </a>
  );
}
