# The Debian package (scripts/package.sh): the tidemark binary, /etc/tidemark/tidemark.yml as a
# conffile, a systemd unit, maintainer scripts that create the tidemark user; CPack's DEB
# generator with dpkg-shlibdeps for the runtime library dependencies.
set(pkg ${PROJECT_SOURCE_DIR}/app/package)
install(TARGETS tidemark RUNTIME DESTINATION bin)
install(FILES ${pkg}/tidemark.yml DESTINATION /etc/tidemark)
install(FILES ${pkg}/tidemark.service DESTINATION /lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION share/doc/tidemark)
file(GLOB doc_pages ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${doc_pages} DESTINATION share/doc/tidemark/docs)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tidemark)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "Tidemark developers <tidemark@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Prometheus-compatible metrics store with PromQL, alerting and SLOs in one binary")
set(CPACK_PACKAGE_DESCRIPTION
    "Tidemark ingests Prometheus remote-write and OpenTelemetry metrics into a compressed\nRocksDB-backed store, answers PromQL over the Prometheus HTTP API, and runs alerting\nrules, recording rules and SLO burn-rate alerts with notifications.")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${pkg}/conffiles ${pkg}/postinst ${pkg}/prerm ${pkg}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
