# Source this to get the test environment in a shell: `. scripts/testenv.sh`
export DATABASE_URL=${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/helpdesk}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export HELPDESK_TEST_DB=${HELPDESK_TEST_DB:-test_helpdesk_local}
export SECRET_KEY=test-only-secret-key-not-for-production-0123456789
export STOREFRONT_IDENTITY_SECRET=test-storefront-secret
export SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0
