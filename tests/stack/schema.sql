-- Test database "kyc": tables shaped like the seed platform's, with sample rows whose
-- timestamps are relative to now() so "last hour / last 24 h" diagnostics find them.
-- Tenants: acme-bank (intact audit chain), tunis-fintech (audit chain broken at seq 7),
-- medina-insure (a burst of failed liveness checks from one IP in the last hour).

CREATE TABLE kyc_case (
    case_id     text PRIMARY KEY,
    tenant_id   text NOT NULL,
    status      text NOT NULL,
    step        text NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

CREATE TABLE audit_event (
    event_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id     text NOT NULL,
    occurred_at   timestamptz NOT NULL,
    payload       jsonb NOT NULL,
    event_hash    text NOT NULL,
    previous_hash text
);
CREATE INDEX audit_event_tenant_time ON audit_event (tenant_id, occurred_at);

CREATE TABLE rne_subscription (
    tenant_id          text NOT NULL,
    balance_remaining  integer NOT NULL,
    updated_at         timestamptz NOT NULL
);

CREATE TABLE tcr_declaration (
    declaration_id  text PRIMARY KEY,
    tenant_id       text NOT NULL,
    status          text NOT NULL,
    ides_reference  text,
    payload         jsonb NOT NULL,
    updated_at      timestamptz NOT NULL
);

CREATE TABLE tcr_ides_acknowledgement (
    ack_id          text PRIMARY KEY,
    declaration_id  text NOT NULL REFERENCES tcr_declaration (declaration_id),
    kind            text NOT NULL,
    code            text,
    received_at     timestamptz NOT NULL,
    body            text
);

CREATE TABLE kyc_biometric_check (
    check_id      text PRIMARY KEY,
    tenant_id     text NOT NULL,
    performed_at  timestamptz NOT NULL,
    passed        boolean NOT NULL,
    device        jsonb NOT NULL
);

INSERT INTO kyc_case (case_id, tenant_id, status, step, created_at, updated_at)
SELECT format('case-%s', lpad(n::text, 4, '0')),
       (ARRAY['acme-bank', 'tunis-fintech', 'medina-insure'])[1 + n % 3],
       (ARRAY['in_progress', 'approved', 'rejected', 'in_progress'])[1 + n % 4],
       (ARRAY['ocr_pending', 'screening', 'liveness', 'review', 'done'])[1 + n % 5],
       now() - make_interval(hours => n),
       now() - make_interval(mins => n * 7)
FROM generate_series(1, 60) AS n;

-- Hash chains: event_hash = sha256(previous_hash || payload); previous_hash of the first is NULL.
DO $$
DECLARE
    tenant text;
    i int;
    prev text;
    digest text;
    body jsonb;
BEGIN
    FOREACH tenant IN ARRAY ARRAY['acme-bank', 'tunis-fintech'] LOOP
        prev := NULL;
        FOR i IN 1..12 LOOP
            body := jsonb_build_object('seq', i, 'action', 'case.updated',
                                       'case_id', format('case-%s', lpad(i::text, 4, '0')));
            digest := encode(sha256(convert_to(coalesce(prev, '') || body::text, 'UTF8')), 'hex');
            INSERT INTO audit_event (tenant_id, occurred_at, payload, event_hash, previous_hash)
            VALUES (tenant, now() - make_interval(mins => (13 - i) * 10), body, digest, prev);
            prev := digest;
        END LOOP;
    END LOOP;
END
$$;

-- The deliberate break: tunis-fintech's 7th event no longer points at the 6th.
UPDATE audit_event SET previous_hash = repeat('0', 64)
WHERE tenant_id = 'tunis-fintech' AND payload ->> 'seq' = '7';

INSERT INTO rne_subscription (tenant_id, balance_remaining, updated_at) VALUES
    ('acme-bank', 25400, now() - interval '2 days'),
    ('acme-bank', 25000, now() - interval '1 hour'),
    ('tunis-fintech', 8000, now() - interval '3 hours'),
    ('medina-insure', 1500, now() - interval '1 day'),
    ('medina-insure', 640, now() - interval '20 minutes');

INSERT INTO tcr_declaration (declaration_id, tenant_id, status, ides_reference, payload, updated_at)
VALUES
    ('decl-001', 'acme-bank', 'accepted', 'IDES-2024-0001', '{"year": 2024, "accounts": 120}',
     now() - interval '5 days'),
    ('decl-002', 'tunis-fintech', 'rejected', 'IDES-2024-0002', '{"year": 2024, "accounts": 48}',
     now() - interval '3 hours'),
    ('decl-003', 'tunis-fintech', 'rejected', NULL, '{"year": 2024, "accounts": 51}',
     now() - interval '40 minutes'),
    ('decl-004', 'medina-insure', 'submitted', 'IDES-2024-0004', '{"year": 2024, "accounts": 9}',
     now() - interval '1 hour');

INSERT INTO tcr_ides_acknowledgement (ack_id, declaration_id, kind, code, received_at, body) VALUES
    ('ack-001', 'decl-001', 'notification', NULL, now() - interval '5 days', 'file accepted'),
    ('ack-002', 'decl-002', 'error_report', 'CF03', now() - interval '3 hours',
     'file could not be decompressed'),
    ('ack-003', 'decl-003', 'error_report', 'CV01', now() - interval '35 minutes',
     'schema validation failed'),
    ('ack-004', 'decl-002', 'error_report', 'CM01', now() - interval '3 days',
     'DocRefID already used');

-- Normal traffic for every tenant, then a burst of failures for medina-insure from one source.
INSERT INTO kyc_biometric_check (check_id, tenant_id, performed_at, passed, device)
SELECT format('bio-%s', n),
       (ARRAY['acme-bank', 'tunis-fintech', 'medina-insure'])[1 + n % 3],
       now() - make_interval(mins => n * 5),
       n % 10 <> 0,
       jsonb_build_object('ip', format('198.51.100.%s', n % 50),
                          'user_agent', 'KycMobile/4.2 (Android 14)')
FROM generate_series(1, 90) AS n;

INSERT INTO kyc_biometric_check (check_id, tenant_id, performed_at, passed, device)
SELECT format('bio-burst-%s', n), 'medina-insure', now() - make_interval(secs => n * 40), false,
       jsonb_build_object('ip', '203.0.113.7', 'user_agent', 'python-requests/2.31')
FROM generate_series(1, 30) AS n;

-- The cockpit's read-only login: monitoring views plus SELECT on the platform tables.
CREATE ROLE cockpit_ro LOGIN;
GRANT pg_monitor TO cockpit_ro;
GRANT USAGE ON SCHEMA public TO cockpit_ro;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO cockpit_ro;
ALTER ROLE cockpit_ro SET default_transaction_read_only = on;
