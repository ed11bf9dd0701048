import type { ChangeEventHandler, InputHTMLAttributes, SelectHTMLAttributes } from 'react';
import { Field, describedBy } from './Dialog';
import { Options, type SelectOption } from './FilterSelect';

/** What every dialog field takes: its error and hint also set aria-invalid and aria-describedby. */
interface FieldProps {
  label: string;
  id: string;
  error?: string | undefined;
  hint?: string | undefined;
}

type Wired = 'id' | 'aria-invalid' | 'aria-describedby';

/** A labelled <input> in a Field; every other input attribute is passed through. */
export function TextField({
  label,
  id,
  error,
  hint,
  ...input
}: FieldProps & Omit<InputHTMLAttributes<HTMLInputElement>, Wired>) {
  return (
    <Field label={label} id={id} error={error} hint={hint}>
      <input id={id} {...input} aria-invalid={!!error} aria-describedby={describedBy(id, error, hint)} />
    </Field>
  );
}

/** A labelled <select> in a Field, with a first option of value "" (`emptyLabel`) and then `options`. */
export function SelectField({
  label,
  id,
  error,
  hint,
  value,
  onChange,
  emptyLabel,
  options,
  ...select
}: FieldProps & {
  value: string;
  onChange: ChangeEventHandler<HTMLSelectElement>;
  emptyLabel: string;
  options: readonly SelectOption[];
} & Omit<SelectHTMLAttributes<HTMLSelectElement>, Wired | 'children' | 'value' | 'onChange'>) {
  return (
    <Field label={label} id={id} error={error} hint={hint}>
      <select
        id={id}
        value={value}
        onChange={onChange}
        aria-invalid={!!error}
        aria-describedby={describedBy(id, error, hint)}
        {...select}
      >
        <option value="">{emptyLabel}</option>
        <Options options={options} />
      </select>
    </Field>
  );
}
