"""Payment providers: the adapters behind `licensing.payments.PaymentProvider`."""
