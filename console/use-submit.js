import { useState } from 'preact/hooks';

/**
 * A form that asks the admin API one thing: `busy` while it runs (the page disables its
 * button, so one click sends one request), then the `result` or the `error`, never both.
 * `send(form)` gets the form's fields and resolves to what the page shows; a new
 * submission clears the last outcome first, so a stale answer is never shown beside it.
 */
export function useSubmit(send) {
  const [state, setState] = useState({ busy: false, error: null, result: null });
  const onSubmit = async (event) => {
    event.preventDefault();
    // Read now: the event's form is gone once the request is awaited.
    const form = new FormData(event.currentTarget);
    setState({ busy: true, error: null, result: null });
    try {
      setState({ busy: false, error: null, result: await send(form) });
    } catch (error) {
      setState({ busy: false, error, result: null });
    }
  };
  return { ...state, onSubmit };
}
