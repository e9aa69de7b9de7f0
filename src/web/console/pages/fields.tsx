/**
 * A job's requested fields: name, type, confidence, status and sensitivity. The value of a
 * direct identifier or a health field is not put in the page until the reader asks for that one
 * field; the others show at once. `GET /v1/jobs/{id}/fields` answers every value to a role that
 * may read redacted output, so the hiding is need-to-know on screen (shoulder-surfing,
 * screenshots, screen sharing), not an access control: the API's role check is that.
 */
import { useState } from 'preact/hooks';
import type { JobField } from '../../../client/index.js';
import { ErrorNotice } from '../errors.js';
import type { Session } from '../session.js';
import { useLoaded } from '../use-loaded.js';

const HIDDEN_BY_DEFAULT: ReadonlySet<JobField['sensitivity']> = new Set(['direct', 'health']);

/** A field's value as text: money as `12.50 EUR`, a missing value as an em dash. */
export function formatFieldValue(value: JobField['value']): string {
  if (value === null) return '—';
  if (typeof value === 'object')
    return value.currency === null ? value.amount : `${value.amount} ${value.currency}`;
  return String(value);
}

function FieldValue({ name, field }: { name: string; field: JobField }) {
  const [shown, setShown] = useState(!HIDDEN_BY_DEFAULT.has(field.sensitivity) || field.value === null);
  if (shown) return <>{formatFieldValue(field.value)}</>;
  return (
    <button type="button" class="reveal" aria-label={`Show value of ${name}`} onClick={() => setShown(true)}>
      Show value
    </button>
  );
}

export function FieldsSection({ session, jobId }: { session: Session; jobId: string }) {
  const { value: result, error } = useLoaded(
    (signal) => session.client.getFields(jobId, { signal }),
    [session, jobId],
  );
  const entries = result === undefined ? [] : Object.entries(result.fields);
  return (
    <section aria-labelledby="fields-heading">
      <h2 id="fields-heading">Fields</h2>
      <ErrorNotice error={error} />
      {result === undefined ? null : (
        <>
          <p class="hint">
            {result.template === null
              ? 'Fields as requested.'
              : `Template ${result.template.name} v${result.template.version}.`}{' '}
            Values of direct identifiers and health data stay hidden until you show them.
          </p>
          <table>
            <caption>Extracted fields</caption>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Type</th>
                <th scope="col">Value</th>
                <th scope="col">Confidence</th>
                <th scope="col">Status</th>
                <th scope="col">Sensitivity</th>
              </tr>
            </thead>
            <tbody>
              {entries.map(([name, field]) => (
                <tr key={name}>
                  <th scope="row">{name}</th>
                  <td>{field.type}</td>
                  <td>
                    <FieldValue name={name} field={field} />
                  </td>
                  <td>{field.confidence.toFixed(2)}</td>
                  <td>
                    <span class={`status ${field.status}`}>{field.status.replace('_', ' ')}</span>
                  </td>
                  <td>{field.sensitivity}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
