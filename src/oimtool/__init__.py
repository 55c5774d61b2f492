"""oimtool: make Akinon Omnitron order-item migration files right before upload."""
