# SPDX-License-Identifier: Apache-2.0
from django.urls import re_path

from networking_wireguard.dashboard import views

ID = r'(?P<port_id>[0-9a-fA-F-]{1,64})'

urlpatterns = [
    re_path(r'^$', views.IndexView.as_view(), name='index'),
    re_path(r'^devices/$', views.add_device, name='add_device'),
    re_path(r'^devices/%s/config/$' % ID, views.device_config,
            name='device_config'),
    re_path(r'^devices/%s/delete/$' % ID, views.delete_device,
            name='delete_device'),
    re_path(r'^hubs/$', views.add_hub, name='add_hub'),
]
