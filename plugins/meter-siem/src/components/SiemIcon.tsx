import { ReactElement } from 'react';

/** A 24×24 single-path icon in the text's colour and size. */
function PathIcon(props: { d: string }): ReactElement {
  return (
    <svg
      viewBox="0 0 24 24"
      width="1em"
      height="1em"
      fill="currentColor"
      aria-hidden="true"
    >
      <path d={props.d} />
    </svg>
  );
}

/** A shield, for the sidebar and the page header. */
export function SiemIcon() {
  return (
    <PathIcon d="M12 1 3 5v6c0 5.55 3.84 10.74 9 12 5.16-1.26 9-6.45 9-12V5l-9-4Zm0 2.18 7 3.11V11c0 4.52-2.98 8.69-7 9.93-4.02-1.24-7-5.41-7-9.93V6.29l7-3.11ZM11 7v6h2V7h-2Zm0 8v2h2v-2h-2Z" />
  );
}

/** A house, for the sidebar's Home. */
export function HomeIcon() {
  return <PathIcon d="M12 3 2 12h3v8h6v-6h2v6h6v-8h3L12 3Z" />;
}
