/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>

#include "port_attach.h"

/* vhost-user needs the guest's RAM in shared, file-backed memory: hugepages here. */
#define QEMU_MEMORY                                                                               \
	"-object memory-backend-file,id=mem0,size=4G,mem-path=/dev/hugepages,share=on "           \
	"-numa node,memdev=mem0"
#define LIBVIRT_MEMORY                                                                            \
	"<memoryBacking><hugepages/><access mode='shared'/></memoryBacking>"

json_t *
port_attach_json(const char *name, const struct port_settings *ps)
{
	/* In client mode the switch connects, so QEMU must be the server. */
	bool qemu_server = ps->type == PORT_VHOSTUSER_CLIENT;
	char qemu[1024], libvirt[1024];

	snprintf(qemu, sizeof(qemu),
		 "-chardev socket,id=char-%s,path=%s%s "
		 "-netdev type=vhost-user,id=net-%s,chardev=char-%s,vhostforce=on "
		 "-device virtio-net-pci,netdev=net-%s " QEMU_MEMORY,
		 name, ps->socket, qemu_server ? ",server=on,wait=off" : ",reconnect=1", name, name, name);
	snprintf(libvirt, sizeof(libvirt),
		 "<interface type='vhostuser'>\n"
		 "  <source type='unix' path='%s' mode='%s'/>\n"
		 "  <model type='virtio'/>\n"
		 "</interface>\n"
		 "<!-- and in <domain>: " LIBVIRT_MEMORY " -->",
		 ps->socket, qemu_server ? "server" : "client");
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "name", name, "type",
			 port_type_name(ps->type), "socket", ps->socket, "qemu", qemu, "libvirt",
			 libvirt, "note",
			 qemu_server ? "QEMU creates the socket; the switch reconnects whenever "
				       "the VM restarts, and the VM survives a switch restart"
				     : "the switch creates the socket; after a switch restart "
				       "QEMU reconnects (reconnect=1 on the chardev)");
}
