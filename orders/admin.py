from django.contrib import admin

from .models import Customer, Product


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["external_id", "name", "email", "created_at"]
    search_fields = ["external_id", "name", "email"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["external_id", "name", "price", "currency", "active"]
    search_fields = ["external_id", "name"]
    prepopulated_fields = {"slug": ["name"]}
